namespace ServeSharp.Local.Autoscaling;

/// <summary>
/// Knative KPA's decision logic for one revision, driven by a <see cref="TimeProvider"/> (no threads, no I/O):
/// desired = ceil(observed / (target × utilisation)) over the stable window, bounded by the scale-up/-down rates;
/// panic mode when the panic-window demand is at least the panic threshold times the ready replicas, during which it
/// never scales down and which ends after a stable window without panic-level demand; scale-downs held for the
/// scale-down delay; zero only after the grace period; finally clamped to min/max replicas.
/// </summary>
public sealed class KpaScaler
{
    private readonly AutoscalerSpec _spec;
    private readonly TimeProvider _time;
    private readonly Queue<(DateTimeOffset At, double Value)> _samples = new();
    private readonly Queue<(DateTimeOffset At, int Desired)> _decisions = new();
    private DateTimeOffset? _panicSince;
    private int _maxPanicReplicas;
    private DateTimeOffset? _zeroSince;

    /// <summary>Creates a scaler.</summary>
    public KpaScaler(AutoscalerSpec spec, TimeProvider time)
    {
        spec.Validate();
        _spec = spec;
        _time = time;
    }

    /// <summary>The settings.</summary>
    public AutoscalerSpec Spec => _spec;

    /// <summary>Records the revision's metric (total across replicas) observed over the last interval.</summary>
    public void Record(double value)
    {
        var now = _time.GetUtcNow();
        _samples.Enqueue((now, Math.Max(0, value)));
        while (_samples.Count > 0 && now - _samples.Peek().At > _spec.StableWindow)
        {
            _samples.Dequeue();
        }
    }

    /// <summary>Decides the replica count; <paramref name="readyReplicas"/> and <paramref name="currentReplicas"/> are what runs now.</summary>
    public ScaleDecision Decide(int readyReplicas, int currentReplicas)
    {
        var now = _time.GetUtcNow();
        if (_samples.Count == 0)
        {
            return new ScaleDecision(Clamp(currentReplicas), _panicSince is not null, 0, 0);
        }

        var stable = _samples.Where(s => now - s.At <= _spec.StableWindow).Select(s => s.Value).DefaultIfEmpty(0).Average();
        var panic = _samples.Where(s => now - s.At <= _spec.PanicWindow).Select(s => s.Value).DefaultIfEmpty(0).Average();
        var ready = Math.Max(1, readyReplicas);
        var target = _spec.TargetValue;

        var stableReplicas = Math.Ceiling(stable / target);
        var panicReplicas = Math.Ceiling(panic / target);
        var maxUp = Math.Ceiling(_spec.MaxScaleUpRate * ready);
        var maxDown = Math.Floor(ready / _spec.MaxScaleDownRate);
        var desiredStable = (int)Math.Min(Math.Max(stableReplicas, maxDown), maxUp);
        var desiredPanic = (int)Math.Min(Math.Max(panicReplicas, maxDown), maxUp);

        var overThreshold = panicReplicas / ready >= _spec.PanicThreshold;
        if (overThreshold)
        {
            _panicSince = now;
        }
        else if (_panicSince is { } since && now - since >= _spec.StableWindow)
        {
            _panicSince = null;
            _maxPanicReplicas = 0;
        }

        var desired = desiredStable;
        if (_panicSince is not null)
        {
            desired = Math.Max(desired, desiredPanic);
            if (desired > _maxPanicReplicas)
            {
                _maxPanicReplicas = desired;
            }
            else
            {
                desired = _maxPanicReplicas;
            }
        }

        desired = ApplyScaleDownDelay(now, desired);
        desired = ApplyScaleToZeroGrace(now, desired, currentReplicas);
        return new ScaleDecision(Clamp(desired), _panicSince is not null, stable, panic);
    }

    private int ApplyScaleDownDelay(DateTimeOffset now, int desired)
    {
        if (_spec.ScaleDownDelay <= TimeSpan.Zero)
        {
            return desired;
        }

        _decisions.Enqueue((now, desired));
        while (_decisions.Count > 0 && now - _decisions.Peek().At > _spec.ScaleDownDelay)
        {
            _decisions.Dequeue();
        }

        return _decisions.Max(d => d.Desired);
    }

    private int ApplyScaleToZeroGrace(DateTimeOffset now, int desired, int currentReplicas)
    {
        if (desired > 0 || _spec.MinReplicas > 0)
        {
            _zeroSince = null;
            return desired;
        }

        _zeroSince ??= now;
        return currentReplicas > 0 && now - _zeroSince.Value < _spec.ScaleToZeroGracePeriod ? 1 : 0;
    }

    private int Clamp(int desired)
    {
        desired = Math.Max(desired, _spec.MinReplicas);
        return _spec.MaxReplicas > 0 ? Math.Min(desired, _spec.MaxReplicas) : desired;
    }
}
