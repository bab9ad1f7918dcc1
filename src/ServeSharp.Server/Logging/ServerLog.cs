using Microsoft.Extensions.Logging;

namespace ServeSharp.Server.Logging;

/// <summary>Source-generated log messages of the model server.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Loading model {Name} from {Directory} (format {Format})")]
    public static partial void ModelLoading(ILogger logger, string name, string directory, string format);

    [LoggerMessage(2, LogLevel.Information, "Model {Name} is ready")]
    public static partial void ModelReady(ILogger logger, string name);

    [LoggerMessage(3, LogLevel.Error, "Model {Name} failed to load: {Reason}")]
    public static partial void ModelLoadFailed(ILogger logger, string name, string reason, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "Model {Name} unloaded")]
    public static partial void ModelUnloaded(ILogger logger, string name);

    [LoggerMessage(5, LogLevel.Warning, "Disposing model {Name} failed")]
    public static partial void ModelDisposeFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "Model {Name} failed while predicting")]
    public static partial void PredictFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "Unhandled error on {Path}")]
    public static partial void UnhandledError(ILogger logger, string path, Exception exception);

    [LoggerMessage(8, LogLevel.Information,
        "requestId: {RequestId}, preprocess_ms: {PreprocessMs}, explain_ms: {ExplainMs}, predict_ms: {PredictMs}, postprocess_ms: {PostprocessMs}")]
    public static partial void Latency(
        ILogger logger, string requestId, double preprocessMs, double explainMs, double predictMs, double postprocessMs);

    [LoggerMessage(9, LogLevel.Information, "Shutdown requested: readiness is now false; draining in-flight requests")]
    public static partial void ShuttingDown(ILogger logger);
}
