using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ServeSharp.Server.Hosting.Handoff;

namespace ServeSharp.Local.Ingress.Handoff;

/// <summary>
/// The ingress's end of one replica's handoff channel (a SOCK_SEQPACKET Unix socket): grants, connections and
/// revocations out; statistics reports in, on a reader thread that adds them to the revisions' metrics and keeps the
/// count of connections the replica holds (<see cref="OpenConnections"/>) for balancing new ones. When the
/// replica goes away the channel closes, its leases' in-flight counts are withdrawn, and the dispatcher drops it.
/// </summary>
internal sealed class HandoffChannel : IDisposable
{
    private const int SendTimeoutMs = 200;
    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly Action<HandoffChannel> _closed;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HandoffLeaseState> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<int, HandoffLeaseState> _byId = [];
    private int _isClosed;

    private HandoffChannel(Socket socket, string path, ILogger logger, Action<HandoffChannel> closed)
    {
        _socket = socket;
        Path = path;
        _logger = logger;
        _closed = closed;
        new Thread(ReadReports) { IsBackground = true, Name = "handoff-reports" }.Start();
    }

    /// <summary>The replica's socket path.</summary>
    public string Path { get; }

    public bool IsClosed => Volatile.Read(ref _isClosed) != 0;

    /// <summary>Connects to a replica's handoff socket, or returns null when it does not answer (not ready, gone).</summary>
    public static HandoffChannel? TryConnect(string path, ILogger logger, Action<HandoffChannel> closed)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new HandoffChannel(socket, path, logger, closed);
        }
        catch (SocketException e)
        {
            IngressLog.HandoffUnavailable(logger, path, e.Message);
            socket.Dispose();
            return null;
        }
    }

    /// <summary>Sends the connection under the lease for <paramref name="target"/> (granting it first if needed).</summary>
    public bool TrySend(Socket client, HandoffTarget target, Func<int> newLeaseId, int ingressPort)
    {
        lock (_lock)
        {
            if (IsClosed)
            {
                return false;
            }

            if (!_byKey.TryGetValue(target.Key, out var lease) || !ReferenceEquals(lease.Backend, target.Backend))
            {
                var grant = new HandoffGrant(newLeaseId(), ingressPort, target.ServiceName, target.Namespace, target.Hosts, target.ForwardPatterns);
                if (!Send(HandoffCodec.Grant(grant), -1))
                {
                    return false;
                }

                lease = new HandoffLeaseState(grant, target.Key, target.Backend, target.Backend.Endpoints.Ready.Length);
                _byKey[target.Key] = lease;
                _byId[grant.Id] = lease;
            }

            if (!Send(HandoffCodec.Connection(lease.Grant.Id), (int)client.SafeHandle.DangerousGetHandle()))
            {
                return false;
            }

            lease.Sent++;
            return true;
        }
    }

    /// <summary>Connections this replica holds from the ingress, as far as the ingress knows (its reports and what was sent since).</summary>
    public long OpenConnections
    {
        get
        {
            lock (_lock)
            {
                var open = 0L;
                foreach (var lease in _byId.Values)
                {
                    open += lease.OpenConnections;
                }

                return open;
            }
        }
    }

    /// <summary>Leases this channel still tracks: live ones, and revoked ones whose connections the replica has not all closed.</summary>
    internal int LeaseCount
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Revokes the live leases matching <paramref name="stale"/>.</summary>
    public void RevokeWhere(Func<HandoffLeaseState, bool> stale)
    {
        lock (_lock)
        {
            foreach (var lease in _byKey.Values.Where(stale).ToList())
            {
                RevokeLocked(lease);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _isClosed, 1) != 0)
        {
            return;
        }

        _socket.Dispose();
        lock (_lock)
        {
            // The replica's requests in flight no longer count: it is gone (or unreachable).
            foreach (var lease in _byId.Values)
            {
                lease.Backend.Metrics.AddReported(0, 0, -lease.Last.InFlight);
                lease.Last = lease.Last with { InFlight = 0, OpenConnections = 0, ConnectionsReceived = lease.Sent };
            }

            _byKey.Clear();
        }
    }

    private void RevokeLocked(HandoffLeaseState lease)
    {
        lease.Revoked = true;
        _byKey.Remove(lease.Key);
        _ = Send(HandoffCodec.Revoke(lease.Grant.Id), -1);
        ForgetIfDrainedLocked(lease);
    }

    /// <summary>
    /// Drops a revoked lease once the replica reported it empty: every connection sent under it received and closed,
    /// no request in flight. Nothing can come after that: no connection is sent under a revoked lease, and the revoke
    /// follows every one that was on the ordered channel. (The replica drops its side the same way.)
    /// </summary>
    private void ForgetIfDrainedLocked(HandoffLeaseState lease)
    {
        if (lease.Revoked && lease.Last.OpenConnections == 0 && lease.Last.InFlight == 0 && lease.Last.ConnectionsReceived == lease.Sent)
        {
            _byId.Remove(lease.Grant.Id);
        }
    }

    private bool Send(byte[] message, int fd)
    {
        if (HandoffInterop.Send(_socket.SafeHandle, message, fd, SendTimeoutMs, out var error))
        {
            return true;
        }

        IngressLog.HandoffSendFailed(_logger, Path, error);
        return false;
    }

    private void ReadReports()
    {
        var buffer = new byte[HandoffCodec.MaxMessageSize];
        try
        {
            while (true)
            {
                var length = _socket.Receive(buffer);
                if (length <= 0)
                {
                    return;
                }

                try
                {
                    Apply(HandoffCodec.ReadReport(buffer, length));
                }
                catch (InvalidDataException e)
                {
                    IngressLog.HandoffBadReport(_logger, Path, e.Message);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed by the replica or by Dispose.
        }
        finally
        {
            _closed(this);
        }
    }

    private void Apply(IReadOnlyList<HandoffReport> reports)
    {
        lock (_lock)
        {
            foreach (var report in reports)
            {
                if (!_byId.TryGetValue(report.LeaseId, out var lease))
                {
                    continue;
                }

                var last = lease.Last;
                lease.Last = report;
                lease.Backend.Metrics.AddReported(report.Requests - last.Requests, report.ConcurrencySeconds - last.ConcurrencySeconds, report.InFlight - last.InFlight);
                // More replicas than when granted: end the lease so its clients reconnect and spread over all of them.
                if (!lease.Revoked && lease.Backend.Endpoints.Ready.Length > lease.ReadyAtGrant)
                {
                    RevokeLocked(lease);
                }
                else
                {
                    ForgetIfDrainedLocked(lease);
                }
            }
        }
    }
}
