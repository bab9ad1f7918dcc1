namespace ServeSharp.Local.Supervision;

/// <summary>A snapshot of one replica for status conditions, <c>describe</c> and tests.</summary>
/// <param name="Id">Replica id.</param>
/// <param name="Phase">Current phase.</param>
/// <param name="ProcessId">OS pid of the current process, or null when not running.</param>
/// <param name="Ports">Ports of the current (or last) process.</param>
/// <param name="Restarts">How many times the process was restarted after exiting.</param>
/// <param name="LastExitCode">Exit code of the last exit, or null.</param>
/// <param name="LastError">Why the last start failed or the process exited, or null.</param>
/// <param name="LogPath">The replica's log file.</param>
public sealed record ReplicaStatus(
    string Id,
    ReplicaPhase Phase,
    int? ProcessId,
    IReadOnlyDictionary<string, int> Ports,
    int Restarts,
    int? LastExitCode,
    string? LastError,
    string LogPath);
