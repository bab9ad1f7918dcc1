using ServeSharp.Server.Metrics;

namespace ServeSharp.Local.Ingress;

/// <summary>
/// Per-revision request statistics measured in the ingress (the role of Knative's queue-proxy and activator):
/// in-flight requests (held ones included), time-weighted average concurrency and request count per interval.
/// </summary>
public sealed class RequestMetrics
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly ConcurrencyAccumulator _local;
    private long _lastCollect;
    private int _reportedInFlight;

    /// <summary>Starts measuring now.</summary>
    public RequestMetrics(TimeProvider time)
    {
        _time = time;
        _local = new ConcurrencyAccumulator(time);
        _lastCollect = _local.LastChange;
    }

    /// <summary>Requests currently in flight or held by the activator.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _local.InFlight + _reportedInFlight;
            }
        }
    }

    /// <summary>A request arrived.</summary>
    public void Begin()
    {
        lock (_lock)
        {
            _local.Begin();
        }
    }

    /// <summary>A request finished (answered, failed or abandoned).</summary>
    public void End()
    {
        lock (_lock)
        {
            _local.End();
        }
    }

    /// <summary>
    /// Adds what a replica reports of the requests it served on connections the ingress handed off to it (Knative's
    /// queue-proxy role): new requests, request-seconds of concurrency, and the change of its in-flight count.
    /// </summary>
    public void AddReported(long requests, double concurrencySeconds, int inFlightChange)
    {
        lock (_lock)
        {
            _local.Add(requests, concurrencySeconds);
            _reportedInFlight += inFlightChange;
        }
    }

    /// <summary>Returns the statistics since the previous call and starts a new interval.</summary>
    public MetricSample Collect()
    {
        lock (_lock)
        {
            _local.Accumulate();
            var now = _local.LastChange;
            var seconds = _time.GetElapsedTime(_lastCollect, now).TotalSeconds;
            var inFlight = _local.InFlight + _reportedInFlight;
            var sample = seconds <= 0
                ? new MetricSample(inFlight, 0, inFlight)
                : new MetricSample(_local.ConcurrencySeconds / seconds, _local.Requests / seconds, inFlight);
            _local.ResetInterval();
            _lastCollect = now;
            return sample;
        }
    }
}
