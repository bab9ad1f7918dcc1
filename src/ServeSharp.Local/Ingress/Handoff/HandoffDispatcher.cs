using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ServeSharp.Local.Supervision;
using ServeSharp.Server.Hosting.Handoff;

namespace ServeSharp.Local.Ingress.Handoff;

/// <summary>
/// Hands qualifying HTTP/1.1 connections to the replica that serves them, over one handoff channel per replica
/// (<see cref="HandoffChannel"/>), and keeps the leases honest: a routing change that would send a lease's hosts
/// elsewhere, or a scale-up of its revision, revokes it, and the replicas' reports feed the revisions' metrics.
/// A connection qualifies when it was routed by Host, its rule is the route's catch-all (not <c>:explain</c>), the
/// rule sends all traffic to one revision (no canary split: the split is per request), and that revision has a ready
/// replica that accepts handoffs; the other rules' paths (the explainer's) go back to the ingress from the replica.
/// </summary>
internal sealed class HandoffDispatcher : IDisposable
{
    private readonly IngressRouter _router;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HandoffChannel> _channels = new(StringComparer.Ordinal);
    private int _nextLeaseId;
    private bool _disposed;

    public HandoffDispatcher(IngressRouter router, ILogger logger)
    {
        _router = router;
        _logger = logger;
        router.Updated += Revalidate;
    }

    /// <summary>The ingress's port on loopback, where replicas send back requests they must not serve.</summary>
    public int IngressPort { get; set; }

    /// <summary>
    /// Passes <paramref name="client"/> to a replica when its first request (<paramref name="host"/>, <paramref name="path"/>)
    /// qualifies. True: the replica has the connection and the caller must close its own descriptor without shutting
    /// the connection down. False: nothing was sent; proxy the connection as usual.
    /// </summary>
    public bool TryHandOff(Socket client, string host, string path)
    {
        if (IngressPort == 0 || Qualify(_router.Match(host, path)) is not { } target)
        {
            return false;
        }

        // Per connection, by the connections each replica holds: handed-off requests never pass the ingress, so its
        // own in-flight counts would not see them, and a scale-up's new replica (holding none) gets the reconnects.
        var endpoint = target.Backend.PickEndpoint(HeldConnections);
        if (endpoint?.HandoffSocket is null || Channel(endpoint) is not { } channel)
        {
            return false;
        }

        if (channel.TrySend(client, target, () => Interlocked.Increment(ref _nextLeaseId), IngressPort))
        {
            return true;
        }

        Drop(channel);
        return false;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _router.Updated -= Revalidate;
        lock (_lock)
        {
            _disposed = true;
            foreach (var channel in _channels.Values)
            {
                channel.Dispose();
            }

            _channels.Clear();
        }
    }

    /// <summary>What a lease for this match would grant, or null when the match does not qualify.</summary>
    internal static HandoffTarget? Qualify(IngressMatch? match)
    {
        if (match is null || match.PathPrefix.HasValue || match.Rule.PathPattern is not null)
        {
            return null;
        }

        RevisionBackend? backend = null;
        foreach (var target in match.Rule.Split.Targets)
        {
            if (target.Percent > 0)
            {
                if (backend is not null)
                {
                    return null;
                }

                backend = target.Backend;
            }
        }

        if (backend is null)
        {
            return null;
        }

        var route = match.Route;
        var patterns = route.Rules.Where(r => r.PathPattern is not null).Select(r => r.PathPattern!.ToString()).ToArray();
        return new HandoffTarget(backend, route.ServiceName ?? route.PathName, route.Namespace, route.Hosts, patterns);
    }

    private long HeldConnections(BackendEndpoint endpoint)
    {
        HandoffChannel? channel;
        lock (_lock)
        {
            if (endpoint.HandoffSocket is null || !_channels.TryGetValue(endpoint.HandoffSocket, out channel) || channel.IsClosed)
            {
                return 0;
            }
        }

        return channel.OpenConnections;
    }

    private HandoffChannel? Channel(BackendEndpoint endpoint)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return null;
            }

            if (_channels.TryGetValue(endpoint.HandoffSocket!, out var channel) && !channel.IsClosed)
            {
                return channel;
            }

            channel = HandoffChannel.TryConnect(endpoint.HandoffSocket!, _logger, Drop);
            if (channel is null)
            {
                _channels.Remove(endpoint.HandoffSocket!);
                return null;
            }

            _channels[endpoint.HandoffSocket!] = channel;
            return channel;
        }
    }

    private void Drop(HandoffChannel channel)
    {
        lock (_lock)
        {
            if (_channels.TryGetValue(channel.Path, out var current) && ReferenceEquals(current, channel))
            {
                _channels.Remove(channel.Path);
            }
        }

        channel.Dispose();
    }

    private void Revalidate()
    {
        HandoffChannel[] channels;
        lock (_lock)
        {
            channels = [.. _channels.Values];
        }

        foreach (var channel in channels)
        {
            channel.RevokeWhere(lease =>
            {
                var now = Qualify(_router.Match(lease.Grant.Hosts[0], "/"));
                return now is null || now.Key != lease.Key || !ReferenceEquals(now.Backend, lease.Backend);
            });
        }
    }
}
