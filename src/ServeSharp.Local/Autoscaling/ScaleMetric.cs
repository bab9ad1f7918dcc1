namespace ServeSharp.Local.Autoscaling;

/// <summary>What the KPA-style autoscaler targets per replica (KServe <c>scaleMetric</c>).</summary>
public enum ScaleMetric
{
    /// <summary>In-flight requests per replica (Knative default; default target 100).</summary>
    Concurrency,

    /// <summary>Requests per second per replica (default target 200).</summary>
    Rps,

    /// <summary>CPU percent of one core per replica, from /proc (HPA's <c>cpu</c> utilisation; default target 80).</summary>
    Cpu,

    /// <summary>
    /// Resident memory per replica in percent of the component's memory request, from /proc (HPA's <c>memory</c>
    /// utilisation; default target 80).
    /// </summary>
    Memory,
}
