namespace ServeSharp.Local.Ingress;

/// <summary>
/// Per-revision request statistics measured in the ingress (the role of Knative's queue-proxy and activator):
/// in-flight requests (held ones included), time-weighted average concurrency and request count per interval.
/// </summary>
public sealed class RequestMetrics
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _lastChange;
    private long _lastCollect;
    private int _inFlight;
    private int _reportedInFlight;
    private long _requests;
    private double _concurrencySeconds;

    /// <summary>Starts measuring now.</summary>
    public RequestMetrics(TimeProvider time)
    {
        _time = time;
        _lastChange = _lastCollect = time.GetTimestamp();
    }

    /// <summary>Requests currently in flight or held by the activator.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight + _reportedInFlight;
            }
        }
    }

    /// <summary>A request arrived.</summary>
    public void Begin()
    {
        lock (_lock)
        {
            Accumulate();
            _inFlight++;
            _requests++;
        }
    }

    /// <summary>A request finished (answered, failed or abandoned).</summary>
    public void End()
    {
        lock (_lock)
        {
            Accumulate();
            _inFlight--;
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
            Accumulate();
            _requests += requests;
            _concurrencySeconds += concurrencySeconds;
            _reportedInFlight += inFlightChange;
        }
    }

    /// <summary>Returns the statistics since the previous call and starts a new interval.</summary>
    public MetricSample Collect()
    {
        lock (_lock)
        {
            Accumulate();
            var now = _lastChange;
            var seconds = _time.GetElapsedTime(_lastCollect, now).TotalSeconds;
            var sample = seconds <= 0
                ? new MetricSample(_inFlight + _reportedInFlight, 0, _inFlight + _reportedInFlight)
                : new MetricSample(_concurrencySeconds / seconds, _requests / seconds, _inFlight + _reportedInFlight);
            _concurrencySeconds = 0;
            _requests = 0;
            _lastCollect = now;
            return sample;
        }
    }

    private void Accumulate()
    {
        var now = _time.GetTimestamp();
        _concurrencySeconds += _inFlight * _time.GetElapsedTime(_lastChange, now).TotalSeconds;
        _lastChange = now;
    }
}
