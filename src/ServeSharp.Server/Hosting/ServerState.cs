namespace ServeSharp.Server.Hosting;

/// <summary>Process-level liveness/readiness flags.</summary>
public sealed class ServerState
{
    private volatile bool _started;
    private volatile bool _stopping;

    /// <summary>True once start-up loading finished and the listeners are open.</summary>
    public bool Started => _started;

    /// <summary>True once a shutdown signal arrived: readiness goes false before the listeners close.</summary>
    public bool Stopping => _stopping;

    internal void MarkStarted() => _started = true;

    internal void MarkStopping() => _stopping = true;
}
