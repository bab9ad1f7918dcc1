using Microsoft.Extensions.Logging;

namespace ServeSharp.Local.Autoscaling;

internal static partial class AutoscalerLog
{
    [LoggerMessage(1, LogLevel.Information, "Scaling {Revision} from {From} to {To} replicas (stable {Stable:0.##}, panic {Panic:0.##}, panic mode {InPanic})")]
    public static partial void Scaling(ILogger logger, string revision, int from, int to, double stable, double panic, bool inPanic);

    [LoggerMessage(2, LogLevel.Information, "Activating {Revision}: a request arrived with no ready replica")]
    public static partial void Activating(ILogger logger, string revision);
}
