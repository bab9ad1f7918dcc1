namespace ServeSharp.Local.Autoscaling;

/// <summary>The outcome of one autoscaling evaluation.</summary>
/// <param name="DesiredReplicas">Replicas wanted now.</param>
/// <param name="InPanic">True while in panic mode.</param>
/// <param name="StableValue">Observed metric over the stable window (total across replicas).</param>
/// <param name="PanicValue">Observed metric over the panic window (total across replicas).</param>
public readonly record struct ScaleDecision(int DesiredReplicas, bool InPanic, double StableValue, double PanicValue);
