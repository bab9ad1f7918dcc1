using Microsoft.Extensions.Logging;

namespace ServeSharp.Local.Supervision;

internal static partial class SupervisorLog
{
    [LoggerMessage(1, LogLevel.Information, "Replica {Replica} started: pid {Pid}, ports {Ports}")]
    public static partial void Started(ILogger logger, string replica, int pid, string ports);

    [LoggerMessage(2, LogLevel.Information, "Replica {Replica} is ready")]
    public static partial void Ready(ILogger logger, string replica);

    [LoggerMessage(3, LogLevel.Warning, "Replica {Replica} exited with code {ExitCode}; restart {Restart} in {Delay}")]
    public static partial void Exited(ILogger logger, string replica, int exitCode, int restart, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Error, "Replica {Replica} could not start: {Error}; retry in {Delay}")]
    public static partial void StartFailed(ILogger logger, string replica, string error, TimeSpan delay);

    [LoggerMessage(5, LogLevel.Information, "Replica {Replica} stopped")]
    public static partial void Stopped(ILogger logger, string replica);

    [LoggerMessage(6, LogLevel.Warning, "Replica {Replica} failed readiness {Failures} times; out of rotation")]
    public static partial void NotReady(ILogger logger, string replica, int failures);

    [LoggerMessage(7, LogLevel.Warning, "Killed orphaned replica process {Pid} left by a previous daemon")]
    public static partial void ReapedOrphan(ILogger logger, int pid);
}
