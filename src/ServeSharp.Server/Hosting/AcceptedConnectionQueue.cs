using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace ServeSharp.Server.Hosting;

/// <summary>
/// The queue between a custom Kestrel <see cref="IConnectionListener"/>'s own accept loop (which builds the
/// connections) and Kestrel's <see cref="IConnectionListener.AcceptAsync"/>: unbounded, completed on unbind, and
/// drained on dispose so that no connection Kestrel never took stays open.
/// </summary>
public sealed class AcceptedConnectionQueue
{
    private readonly Channel<ConnectionContext> _channel = Channel.CreateUnbounded<ConnectionContext>();

    /// <summary>Queues a connection; false when the listener is unbound (the caller disposes it).</summary>
    public bool TryAdd(ConnectionContext connection) => _channel.Writer.TryWrite(connection);

    /// <summary>The next connection, or null once the queue is completed and empty (Kestrel's end-of-listener signal).</summary>
    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>No more connections: pending <see cref="AcceptAsync"/> calls return null once the queue is empty.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>Completes the queue and disposes the connections still in it.</summary>
    public async ValueTask DisposeRemainingAsync()
    {
        Complete();
        while (_channel.Reader.TryRead(out var connection))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
