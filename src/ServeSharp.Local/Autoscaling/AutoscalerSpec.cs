namespace ServeSharp.Local.Autoscaling;

/// <summary>
/// Per-revision autoscaling settings with Knative KPA's defaults (<c>config-autoscaler</c>): stable window 60 s,
/// panic window 10% of it (6 s), panic threshold 200%, target utilisation 70%, max scale-up rate 1000, max scale-down
/// rate 2, scale-to-zero grace period 30 s, scale-down delay 0, initial scale 1.
/// </summary>
public sealed record AutoscalerSpec
{
    /// <summary>The metric (KServe <c>scaleMetric</c>).</summary>
    public ScaleMetric Metric { get; init; } = ScaleMetric.Concurrency;

    /// <summary>Target per replica (KServe <c>scaleTarget</c>); null uses 100 for concurrency, 200 for rps, 80 for cpu and memory.</summary>
    public double? Target { get; init; }

    /// <summary>
    /// The memory a replica requests (the container's <c>resources.requests.memory</c>), which the <c>memory</c> metric
    /// measures against; KServe's default request is 2Gi.
    /// </summary>
    public long MemoryRequestBytes { get; init; } = 2L << 30;

    /// <summary>Fraction of the target aimed for, leaving headroom for bursts (Knative's 70%).</summary>
    public double TargetUtilization { get; init; } = 0.7;

    /// <summary>Lower bound (KServe <c>minReplicas</c>); 0 allows scale to zero.</summary>
    public int MinReplicas { get; init; } = 1;

    /// <summary>Upper bound (KServe <c>maxReplicas</c>); 0 means unlimited.</summary>
    public int MaxReplicas { get; init; }

    /// <summary>Replicas a new revision starts with (at least <see cref="MinReplicas"/>).</summary>
    public int InitialScale { get; init; } = 1;

    /// <summary>Averaging window in stable mode.</summary>
    public TimeSpan StableWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Panic window as a fraction of the stable window.</summary>
    public double PanicWindowFraction { get; init; } = 0.1;

    /// <summary>Panic starts when the panic-window demand reaches this multiple of the ready replicas.</summary>
    public double PanicThreshold { get; init; } = 2.0;

    /// <summary>At most this many times the ready replicas per decision.</summary>
    public double MaxScaleUpRate { get; init; } = 1000;

    /// <summary>At least ready/this replicas per decision.</summary>
    public double MaxScaleDownRate { get; init; } = 2;

    /// <summary>How long the autoscaler keeps the last replica after demand dropped to zero.</summary>
    public TimeSpan ScaleToZeroGracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Scale-downs use the highest decision of this trailing window.</summary>
    public TimeSpan ScaleDownDelay { get; init; } = TimeSpan.Zero;

    /// <summary>The panic window.</summary>
    public TimeSpan PanicWindow => StableWindow * PanicWindowFraction;

    /// <summary>The effective target per replica: target × utilisation.</summary>
    public double TargetValue => (Target ?? Metric switch { ScaleMetric.Concurrency => 100, ScaleMetric.Rps => 200, _ => 80 }) * TargetUtilization;

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (MinReplicas < 0 || MaxReplicas < 0 || (MaxReplicas > 0 && MinReplicas > MaxReplicas))
        {
            throw new ArgumentException($"minReplicas ({MinReplicas}) and maxReplicas ({MaxReplicas}) must be >= 0 with min <= max unless max is 0.");
        }

        if (MemoryRequestBytes <= 0)
        {
            throw new ArgumentException($"The memory request must be positive (got {MemoryRequestBytes} bytes).");
        }

        if (Target is <= 0)
        {
            throw new ArgumentException($"scaleTarget must be positive (got {Target}).");
        }

        if (TargetUtilization is <= 0 or > 1 || PanicWindowFraction is <= 0 or > 1 || PanicThreshold <= 1 || MaxScaleUpRate <= 1 || MaxScaleDownRate <= 1)
        {
            throw new ArgumentException("Autoscaler rates out of range: utilisation and panic window fraction in (0,1], panic threshold and scale rates > 1.");
        }

        if (StableWindow <= TimeSpan.Zero || ScaleToZeroGracePeriod < TimeSpan.Zero || ScaleDownDelay < TimeSpan.Zero || InitialScale < 0)
        {
            throw new ArgumentException("Autoscaler windows must be positive, delays and initial scale non-negative.");
        }
    }
}
