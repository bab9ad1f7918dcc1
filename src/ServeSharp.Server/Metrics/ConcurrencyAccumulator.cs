namespace ServeSharp.Server.Metrics;

/// <summary>
/// Requests in flight integrated over time, as Knative's queue-proxy measures them for the autoscaler: the
/// request-seconds of concurrency and the requests started since the last <see cref="ResetInterval"/>. Not
/// thread-safe: its owner serialises calls (the ingress's per-revision metrics, a replica's handoff lease).
/// </summary>
public sealed class ConcurrencyAccumulator
{
    private readonly TimeProvider _time;

    /// <summary>Starts integrating now.</summary>
    public ConcurrencyAccumulator(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        LastChange = time.GetTimestamp();
    }

    /// <summary>Requests in flight now.</summary>
    public int InFlight { get; private set; }

    /// <summary>Requests started in this interval.</summary>
    public long Requests { get; private set; }

    /// <summary>Integral of <see cref="InFlight"/> over this interval up to <see cref="LastChange"/>, in request-seconds.</summary>
    public double ConcurrencySeconds { get; private set; }

    /// <summary>Timestamp (of the injected <see cref="TimeProvider"/>) up to which <see cref="ConcurrencySeconds"/> is integrated.</summary>
    public long LastChange { get; private set; }

    /// <summary>A request started.</summary>
    public void Begin()
    {
        Accumulate();
        InFlight++;
        Requests++;
    }

    /// <summary>A request finished (answered, failed or abandoned).</summary>
    public void End()
    {
        Accumulate();
        InFlight--;
    }

    /// <summary>Adds requests and request-seconds measured elsewhere (a replica's report) to this interval.</summary>
    public void Add(long requests, double concurrencySeconds)
    {
        Accumulate();
        Requests += requests;
        ConcurrencySeconds += concurrencySeconds;
    }

    /// <summary>Integrates up to now.</summary>
    public void Accumulate()
    {
        var now = _time.GetTimestamp();
        ConcurrencySeconds += InFlight * _time.GetElapsedTime(LastChange, now).TotalSeconds;
        LastChange = now;
    }

    /// <summary>Starts a new interval: requests and request-seconds back to zero (the in-flight count stays).</summary>
    public void ResetInterval()
    {
        Requests = 0;
        ConcurrencySeconds = 0;
    }
}
