using Microsoft.Extensions.Logging;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>Source-generated log messages of the ONNX runtime.</summary>
internal static partial class OnnxRuntimeLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Loaded ONNX model {ModelName} from {File} in {ElapsedMs:F1} ms ({InputCount} inputs, {OutputCount} outputs, intra-op threads {Threads}, memory arena {MemoryArena})")]
    public static partial void ModelLoaded(
        ILogger logger, string modelName, string file, double elapsedMs, int inputCount, int outputCount, int threads, bool memoryArena);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "ONNX model {ModelName}: output {OutputName} ({OutputType}) has no Open Inference Protocol datatype and will not be served")]
    public static partial void OutputSkipped(ILogger logger, string modelName, string outputName, string outputType);
}
