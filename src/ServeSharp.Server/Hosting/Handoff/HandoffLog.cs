using Microsoft.Extensions.Logging;

namespace ServeSharp.Server.Hosting.Handoff;

internal static partial class HandoffLog
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "Handoff channel on {Path} failed (errno {Errno}); its leases are revoked")]
    public static partial void ChannelFailed(ILogger logger, string path, int errno);

    [LoggerMessage(EventId = 901, Level = LogLevel.Warning, Message = "Ignored a malformed handoff message on {Path}: {Reason}")]
    public static partial void BadMessage(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "Sending a handed-off request back to the ingress on port {Port} failed ({Error}): {Reason}")]
    public static partial void ForwardFailed(ILogger logger, int port, string error, string? reason);
}
