namespace ServeSharp.Local.Ingress;

/// <summary>Request statistics of one revision over one collection interval.</summary>
/// <param name="AverageConcurrency">Time-weighted mean of in-flight requests.</param>
/// <param name="RequestsPerSecond">Arrivals per second.</param>
/// <param name="InFlight">In-flight requests at the end of the interval.</param>
public readonly record struct MetricSample(double AverageConcurrency, double RequestsPerSecond, int InFlight);
