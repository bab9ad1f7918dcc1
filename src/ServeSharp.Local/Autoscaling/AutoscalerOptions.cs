namespace ServeSharp.Local.Autoscaling;

/// <summary>Settings of the <see cref="RevisionAutoscaler"/> loop.</summary>
public sealed class AutoscalerOptions
{
    /// <summary>How often metrics are collected and decisions made (Knative ticks every 2 s; we collect every second).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws <see cref="ArgumentException"/> when invalid.</summary>
    public void Validate()
    {
        if (TickInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Autoscaler TickInterval must be positive (got {TickInterval}).");
        }
    }
}
