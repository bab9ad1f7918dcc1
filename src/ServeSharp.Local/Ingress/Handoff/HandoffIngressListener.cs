using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Hosting.Handoff;

namespace ServeSharp.Local.Ingress.Handoff;

/// <summary>
/// The ingress's public listener with connection handoff: it accepts each TCP connection itself and peeks
/// (MSG_PEEK, nothing consumed) at the first request's head. A qualifying connection goes to its replica
/// (<see cref="HandoffDispatcher"/>) and the ingress closes its own descriptor; every other connection (h2c, no
/// qualifying route, no ready replica, a head that does not arrive within <see cref="PeekWindow"/>, a failed send)
/// becomes an ordinary Kestrel socket connection through <see cref="SocketConnectionContextFactory"/>, served by the
/// proxy exactly as without handoff.
/// </summary>
/// <remarks>
/// The peek polls with MSG_DONTWAIT and short timer waits rather than awaiting readability: an awaited socket would
/// be registered in this process's epoll set, and that registration outlives our close while the replica holds the
/// connection, waking the ingress for every request the replica serves.
/// </remarks>
internal sealed class HandoffIngressListener : IConnectionListener
{
    /// <summary>How long a new connection may take to send its first request head before it is simply proxied.</summary>
    public static readonly TimeSpan PeekWindow = TimeSpan.FromMilliseconds(200);

    private readonly Socket _listen;
    private readonly HandoffDispatcher _dispatcher;
    private readonly ILogger _logger;
    private readonly SocketConnectionContextFactory _connections;
    private readonly AcceptedConnectionQueue _accepted = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _unbound;

    private HandoffIngressListener(Socket listen, HandoffDispatcher dispatcher, ILogger logger)
    {
        _listen = listen;
        _dispatcher = dispatcher;
        _logger = logger;
        EndPoint = new IngressEndPoint((IPEndPoint)listen.LocalEndPoint!);
        // Proxied connections run inline on the socket engine, as the plain ingress listener does (IngressServer).
        _connections = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = true }, logger);
        _ = AcceptLoopAsync();
    }

    public EndPoint EndPoint { get; }

    public static HandoffIngressListener Bind(IngressEndPoint endpoint, HandoffDispatcher dispatcher, ILogger logger)
    {
        var socket = new Socket(endpoint.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint.Address);
            socket.Listen(512);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var listener = new HandoffIngressListener(socket, dispatcher, logger);
        dispatcher.IngressPort = ((IngressEndPoint)listener.EndPoint).Address.Port;
        return listener;
    }

    public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) => _accepted.AcceptAsync(cancellationToken);

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _unbound, 1) == 0)
        {
            _stopping.Cancel();
            _listen.Dispose();
            _accepted.Complete();
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync().ConfigureAwait(false);
        await _accepted.DisposeRemainingAsync().ConfigureAwait(false);

        _connections.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listen.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                // ECONNABORTED, EMFILE...: this connection is lost, the listener goes on.
                IngressLog.AcceptFailed(_logger, e.Message);
                continue;
            }

            _ = RouteAsync(client);
        }
    }

    private async Task RouteAsync(Socket client)
    {
        try
        {
            client.NoDelay = true;
            if (await TryHandOffAsync(client).ConfigureAwait(false))
            {
                // The replica holds the connection now: close our descriptor only (no shutdown, which would end it).
                client.Dispose();
                return;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Fall through: Kestrel sees the state of the socket and handles it like any other connection.
        }
        catch (Exception e)
        {
            // Nothing may strand a connection (this task is not awaited): a head the decision cannot use is proxied,
            // and Kestrel answers it (e.g. 400 for what it refuses).
            IngressLog.HandoffDecisionFailed(_logger, e);
        }

        var connection = _connections.Create(client);
        if (!_accepted.TryAdd(connection))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> TryHandOffAsync(Socket client)
    {
        var buffer = new byte[RequestHead.MaxSize];
        var deadline = Environment.TickCount64 + (long)PeekWindow.TotalMilliseconds;
        var wait = 0;
        while (true)
        {
            var length = HandoffInterop.Peek(client.SafeHandle, buffer);
            if (length == 0)
            {
                return false;
            }

            if (length > 0)
            {
                var head = RequestHead.Parse(buffer.AsSpan(0, length), out var host, out var path);
                if (head == RequestHead.Result.Proxy)
                {
                    return false;
                }

                if (head == RequestHead.Result.Candidate)
                {
                    return _dispatcher.TryHandOff(client, host, path);
                }
            }

            if (Environment.TickCount64 >= deadline || _stopping.IsCancellationRequested)
            {
                return false;
            }

            // The head is usually there at accept or a moment later: yield first, then short timer waits.
            if (wait++ < 2)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(1).ConfigureAwait(false);
            }
        }
    }
}
