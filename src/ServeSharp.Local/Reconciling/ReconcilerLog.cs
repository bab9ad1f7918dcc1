using Microsoft.Extensions.Logging;

namespace ServeSharp.Local.Reconciling;

internal static partial class ReconcilerLog
{
    [LoggerMessage(1, LogLevel.Information, "Created revision {Revision} of {Service}")]
    public static partial void RevisionCreated(ILogger logger, string revision, string service);

    [LoggerMessage(2, LogLevel.Warning, "{Service}: {Reason}: {Message}")]
    public static partial void NotReady(ILogger logger, string service, string reason, string message);

    [LoggerMessage(3, LogLevel.Error, "Reconciling {Service} failed")]
    public static partial void Failed(ILogger logger, string service, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "Removed revision {Revision}")]
    public static partial void RevisionRemoved(ILogger logger, string revision);

    [LoggerMessage(5, LogLevel.Warning, "Model of revision {Revision}: {Message}; retrying in {Delay}")]
    public static partial void FetchFailed(ILogger logger, string revision, string message, TimeSpan delay);

    [LoggerMessage(6, LogLevel.Information, "Restored revision {Revision} of {Service}")]
    public static partial void RevisionRestored(ILogger logger, string revision, string service);

    [LoggerMessage(7, LogLevel.Warning, "Could not restore revision {Revision}: {Message}")]
    public static partial void RestoreFailed(ILogger logger, string revision, string message);

    [LoggerMessage(8, LogLevel.Warning, "{Kind} {Resource} is kept but not served: {Message}")]
    public static partial void NotServed(ILogger logger, string kind, string resource, string message);
}
