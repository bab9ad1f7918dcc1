namespace ServeSharp.Local.Supervision;

/// <summary>Where a replica is in its life.</summary>
public enum ReplicaPhase
{
    /// <summary>Process started, readiness probe not yet passing.</summary>
    Starting,

    /// <summary>Probe passing: in the ingress rotation.</summary>
    Ready,

    /// <summary>Was ready, probe now failing: out of rotation, still running.</summary>
    NotReady,

    /// <summary>Exited or failed to start; waiting out the restart backoff.</summary>
    CrashLoopBackOff,

    /// <summary>Being stopped (SIGTERM sent).</summary>
    Terminating,

    /// <summary>Stopped for good.</summary>
    Stopped,
}
