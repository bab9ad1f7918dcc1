using Microsoft.Extensions.Logging;

namespace ServeSharp.Local.Ingress;

internal static partial class IngressLog
{
    [LoggerMessage(1, LogLevel.Warning, "Forwarding to {Revision} replica {Replica} failed: {Error}")]
    public static partial void ForwardFailed(ILogger logger, string revision, string replica, string error, Exception? exception);

    [LoggerMessage(2, LogLevel.Warning, "Activation of {Revision} failed: {Error}")]
    public static partial void ActivationFailed(ILogger logger, string revision, string error);
}
