using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace ServeSharp.Server.Hosting.Handoff;

/// <summary>
/// Listens on a Unix domain socket (SOCK_SEQPACKET) for the ingress's handoff channel. Each channel carries grants,
/// revocations and client connections (descriptors); received connections become Kestrel connections through the
/// socket transport's <see cref="SocketConnectionContextFactory"/>, tagged with their <see cref="HandoffLease"/>.
/// Every <c>reportInterval</c> the statistics of the leases in use go back on the same channel.
/// </summary>
public sealed class HandoffListener : IConnectionListener
{
    private readonly Socket _listen;
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SocketConnectionContextFactory _connections;
    private readonly AcceptedConnectionQueue _accepted = new();
    private readonly ConcurrentDictionary<Socket, ChannelState> _channels = new();
    private readonly ITimer _reportTimer;
    private readonly CancellationTokenSource _stopping = new();
    private int _unbound;
    private int _reporting;

    private HandoffListener(Socket listen, HandoffEndPoint endpoint, TimeProvider time, TimeSpan reportInterval, ILogger logger)
    {
        _listen = listen;
        _path = endpoint.Path;
        EndPoint = endpoint;
        _time = time;
        _logger = logger;
        _connections = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions(), logger);
        _reportTimer = time.CreateTimer(_ => Report(), null, reportInterval, reportInterval);
        _ = AcceptChannelsAsync();
    }

    /// <inheritdoc />
    public EndPoint EndPoint { get; }

    /// <summary>Creates the socket file and starts accepting handoff channels.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    public static HandoffListener Bind(HandoffEndPoint endpoint, TimeProvider time, TimeSpan reportInterval, ILogger logger)
    {
        if (!HandoffInterop.IsSupported)
        {
            throw new PlatformNotSupportedException("Connection handoff needs Linux (SCM_RIGHTS descriptor passing).");
        }

        // A file left by a crashed predecessor would make bind fail; the path is this replica's own.
        File.Delete(endpoint.Path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(endpoint.Path));
            socket.Listen(16);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new HandoffListener(socket, endpoint, time, reportInterval, logger);
    }

    /// <inheritdoc />
    public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) => _accepted.AcceptAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _unbound, 1) == 0)
        {
            _stopping.Cancel();
            _listen.Dispose();
            TryDeleteFile();
            _accepted.Complete();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await UnbindAsync().ConfigureAwait(false);
        await _reportTimer.DisposeAsync().ConfigureAwait(false);
        foreach (var channel in _channels.Keys)
        {
            channel.Dispose();
        }

        // Connections received but never accepted by Kestrel.
        await _accepted.DisposeRemainingAsync().ConfigureAwait(false);

        _connections.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptChannelsAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket channel;
            try
            {
                channel = await _listen.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var state = new ChannelState();
            _channels[channel] = state;
            // Blocking recvmsg on a thread of its own: one per ingress channel (one per daemon), not per connection.
            new Thread(() => ReadChannel(channel, state)) { IsBackground = true, Name = "handoff-channel" }.Start();
        }
    }

    private void ReadChannel(Socket channel, ChannelState state)
    {
        var buffer = new byte[HandoffCodec.MaxMessageSize];
        try
        {
            while (true)
            {
                var length = HandoffInterop.Receive(channel.SafeHandle, buffer, out var fd, out var error);
                if (length <= 0)
                {
                    if (length < 0)
                    {
                        HandoffLog.ChannelFailed(_logger, _path, error);
                    }

                    if (fd >= 0)
                    {
                        HandoffInterop.CloseDescriptor(fd);
                    }

                    return;
                }

                try
                {
                    Handle(buffer, length, fd, state);
                }
                catch (Exception e) when (e is InvalidDataException or ArgumentException)
                {
                    if (fd >= 0)
                    {
                        HandoffInterop.CloseDescriptor(fd);
                    }

                    HandoffLog.BadMessage(_logger, _path, e.Message);
                }
            }
        }
        finally
        {
            // The ingress is gone: no one can take back what these leases would forward, and no one reads reports.
            foreach (var lease in state.Leases.Values)
            {
                lease.Revoke();
            }

            _channels.TryRemove(channel, out _);
            channel.Dispose();
        }
    }

    private void Handle(byte[] buffer, int length, int fd, ChannelState state)
    {
        switch (HandoffCodec.KindOf(buffer.AsSpan(0, length)))
        {
            case HandoffMessageKind.Grant:
                var grant = HandoffCodec.ReadGrant(buffer, length);
                state.Leases[grant.Id] = new HandoffLease(grant, _time);
                CloseUnexpected(fd);
                break;
            case HandoffMessageKind.Revoke:
                if (state.Leases.TryGetValue(HandoffCodec.ReadLeaseId(buffer, length), out var revoked))
                {
                    revoked.Revoke();
                }

                CloseUnexpected(fd);
                break;
            case HandoffMessageKind.Connection:
                var leaseId = HandoffCodec.ReadLeaseId(buffer, length);
                if (fd < 0)
                {
                    throw new InvalidDataException("A handoff connection message without a descriptor.");
                }

                if (!state.Leases.TryGetValue(leaseId, out var lease) || Volatile.Read(ref _unbound) != 0)
                {
                    // Unknown lease or shutting down: closing our copy ends the client's connection, as a stopping
                    // server would; the ingress only hands off to replicas it has granted.
                    HandoffInterop.CloseDescriptor(fd);
                    return;
                }

                Socket socket;
                try
                {
                    socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
                }
                catch (SocketException e)
                {
                    HandoffInterop.CloseDescriptor(fd);
                    throw new InvalidDataException($"The handed-off descriptor is not a socket: {e.Message}");
                }

                socket.NoDelay = true;
                var connection = _connections.Create(socket);
                connection.Features.Set(lease);
                // Counted until the connection ends (HandoffConnectionTracking): the ingress balances new connections
                // by these counts.
                lease.ConnectionReceived();
                if (!_accepted.TryAdd(connection))
                {
                    lease.ConnectionClosed();
                    _ = connection.DisposeAsync().AsTask();
                }

                break;
            default:
                CloseUnexpected(fd);
                throw new InvalidDataException("A replica-bound handoff message of an unexpected kind.");
        }
    }

    private static void CloseUnexpected(int fd)
    {
        if (fd >= 0)
        {
            HandoffInterop.CloseDescriptor(fd);
        }
    }

    private void Report()
    {
        // Timer callbacks may overlap when a send waits; one report at a time keeps LastSent consistent.
        if (Interlocked.Exchange(ref _reporting, 1) == 1)
        {
            return;
        }

        try
        {
            ReportChannels();
        }
        finally
        {
            Volatile.Write(ref _reporting, 0);
        }
    }

    private void ReportChannels()
    {
        foreach (var (channel, state) in _channels)
        {
            var reports = new List<HandoffReport>();
            List<int>? drained = null;
            foreach (var lease in state.Leases.Values)
            {
                // Read before the snapshot: a revoked lease whose snapshot shows no connection and no request is
                // finished for good, as the ingress sends nothing under a lease after revoking it.
                var revoked = lease.IsRevoked;
                var snapshot = lease.Snapshot();
                var last = state.LastSent.GetValueOrDefault(snapshot.LeaseId);
                if (snapshot.Requests != last.Requests || snapshot.InFlight != 0 || last.InFlight != 0
                    || snapshot.OpenConnections != last.OpenConnections || snapshot.ConnectionsReceived != last.ConnectionsReceived)
                {
                    reports.Add(snapshot);
                    state.LastSent[snapshot.LeaseId] = snapshot;
                }

                if (revoked && snapshot is { OpenConnections: 0, InFlight: 0 })
                {
                    (drained ??= []).Add(snapshot.LeaseId);
                }
            }

            if (reports.Count > 0 && !HandoffInterop.Send(channel.SafeHandle, HandoffCodec.Report(reports), -1, 1000, out var error))
            {
                HandoffLog.ChannelFailed(_logger, _path, error);
                continue;
            }

            // The ingress has the lease's final figures (sent now or before): both sides drop it.
            foreach (var id in drained ?? [])
            {
                state.Leases.TryRemove(id, out _);
                state.LastSent.TryRemove(id, out _);
            }
        }
    }

    private void TryDeleteFile()
    {
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Best effort: the daemon removes stale handoff files of stopped replicas too.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed class ChannelState
    {
        public ConcurrentDictionary<int, HandoffLease> Leases { get; } = new();

        // Written by the report timer only.
        public ConcurrentDictionary<int, HandoffReport> LastSent { get; } = new();
    }
}
