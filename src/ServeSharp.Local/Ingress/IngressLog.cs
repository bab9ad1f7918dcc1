using Microsoft.Extensions.Logging;

namespace ServeSharp.Local.Ingress;

internal static partial class IngressLog
{
    [LoggerMessage(1, LogLevel.Warning, "Forwarding to {Revision} replica {Replica} failed: {Error}")]
    public static partial void ForwardFailed(ILogger logger, string revision, string replica, string error, Exception? exception);

    [LoggerMessage(2, LogLevel.Warning, "Activation of {Revision} failed: {Error}")]
    public static partial void ActivationFailed(ILogger logger, string revision, string error);

    [LoggerMessage(3, LogLevel.Debug, "Handoff socket {Path} does not answer ({Error}); proxying")]
    public static partial void HandoffUnavailable(ILogger logger, string path, string error);

    [LoggerMessage(4, LogLevel.Warning, "Handoff to {Path} failed (errno {Errno}); proxying, and reconnecting for the next connection")]
    public static partial void HandoffSendFailed(ILogger logger, string path, int errno);

    [LoggerMessage(5, LogLevel.Warning, "Ignored a malformed handoff report from {Path}: {Error}")]
    public static partial void HandoffBadReport(ILogger logger, string path, string error);

    [LoggerMessage(6, LogLevel.Warning, "Accepting an ingress connection failed: {Error}")]
    public static partial void AcceptFailed(ILogger logger, string error);

    [LoggerMessage(7, LogLevel.Warning, "Deciding whether to hand off an ingress connection failed; proxying it")]
    public static partial void HandoffDecisionFailed(ILogger logger, Exception exception);
}
