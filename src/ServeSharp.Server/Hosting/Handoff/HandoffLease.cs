using System.Collections.Frozen;
using System.Text.RegularExpressions;
using ServeSharp.Server.Metrics;

namespace ServeSharp.Server.Hosting.Handoff;

/// <summary>
/// The replica's side of one lease: which requests on connections handed off under it the replica may serve itself
/// (the rest go back to the ingress), and the statistics of those it served, reported to the ingress's autoscaler
/// (the role of Knative's queue-proxy: the replica reports its own concurrency).
/// </summary>
public sealed class HandoffLease
{
    private readonly FrozenSet<string> _hosts;
    private readonly Regex[] _forwardPatterns;
    private readonly Lock _lock = new();
    private readonly ConcurrencyAccumulator _requests;
    private volatile bool _revoked;
    private int _openConnections;
    private long _connectionsReceived;

    /// <summary>Creates the lease from its grant.</summary>
    /// <exception cref="ArgumentException">A forward pattern is not a valid regex.</exception>
    public HandoffLease(HandoffGrant grant, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(grant);
        Grant = grant;
        _requests = new ConcurrencyAccumulator(time);
        _hosts = grant.Hosts.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _forwardPatterns = grant.ForwardPatterns.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).ToArray();
    }

    /// <summary>The grant.</summary>
    public HandoffGrant Grant { get; }

    /// <summary>Whether the ingress revoked the lease.</summary>
    public bool IsRevoked => _revoked;

    /// <summary>The ingress revoked the lease: from now on every request on its connections goes back to the ingress.</summary>
    public void Revoke() => _revoked = true;

    /// <summary>Whether the ingress would route a request with this host (port ignored) and path to this replica's revision.</summary>
    public bool Accepts(ReadOnlySpan<char> host, string path)
    {
        if (_revoked)
        {
            return false;
        }

        var colon = host.LastIndexOf(':');
        if (colon >= 0 && host.IndexOf(']') < colon)
        {
            host = host[..colon];
        }

        if (!_hosts.GetAlternateLookup<ReadOnlySpan<char>>().Contains(host))
        {
            return false;
        }

        foreach (var pattern in _forwardPatterns)
        {
            if (pattern.IsMatch(path))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A connection handed off under this lease arrived.</summary>
    public void ConnectionReceived()
    {
        lock (_lock)
        {
            _connectionsReceived++;
            _openConnections++;
        }
    }

    /// <summary>A connection handed off under this lease ended.</summary>
    public void ConnectionClosed()
    {
        lock (_lock)
        {
            _openConnections--;
        }
    }

    /// <summary>A request served here started.</summary>
    public void Begin()
    {
        lock (_lock)
        {
            _requests.Begin();
        }
    }

    /// <summary>A request served here finished.</summary>
    public void End()
    {
        lock (_lock)
        {
            _requests.End();
        }
    }

    /// <summary>Cumulative statistics now.</summary>
    public HandoffReport Snapshot()
    {
        lock (_lock)
        {
            _requests.Accumulate();
            return new HandoffReport(Grant.Id, _requests.Requests, _requests.ConcurrencySeconds, _requests.InFlight, _openConnections, _connectionsReceived);
        }
    }
}
