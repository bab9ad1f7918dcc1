using System.Collections.Frozen;
using System.Text.RegularExpressions;

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
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private volatile bool _revoked;
    private int _inFlight;
    private long _requests;
    private double _concurrencySeconds;
    private long _lastChange;

    /// <summary>Creates the lease from its grant.</summary>
    /// <exception cref="ArgumentException">A forward pattern is not a valid regex.</exception>
    public HandoffLease(HandoffGrant grant, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(grant);
        Grant = grant;
        _time = time;
        _hosts = grant.Hosts.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _forwardPatterns = grant.ForwardPatterns.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).ToArray();
        _lastChange = time.GetTimestamp();
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

    /// <summary>A request served here started.</summary>
    public void Begin()
    {
        lock (_lock)
        {
            Accumulate();
            _inFlight++;
            _requests++;
        }
    }

    /// <summary>A request served here finished.</summary>
    public void End()
    {
        lock (_lock)
        {
            Accumulate();
            _inFlight--;
        }
    }

    /// <summary>Cumulative statistics now.</summary>
    public HandoffReport Snapshot()
    {
        lock (_lock)
        {
            Accumulate();
            return new HandoffReport(Grant.Id, _requests, _concurrencySeconds, _inFlight);
        }
    }

    private void Accumulate()
    {
        var now = _time.GetTimestamp();
        _concurrencySeconds += _inFlight * _time.GetElapsedTime(_lastChange, now).TotalSeconds;
        _lastChange = now;
    }
}
