using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// The ONNX Runtime session options one model is loaded with: the runtime's defaults
/// (<see cref="OnnxRuntimeOptions"/>), each overridden by the model's own setting of the same name.
/// </summary>
/// <param name="IntraOpThreads">Threads inside one run (0 = ONNX Runtime's choice).</param>
/// <param name="MemoryArena">Whether tensors come from ONNX Runtime's CPU arena rather than the C heap.</param>
internal readonly record struct OnnxSessionSettings(int IntraOpThreads, bool MemoryArena)
{
    /// <summary>The settings of the process-wide warm-up session: one thread, no arena.</summary>
    public static OnnxSessionSettings WarmUp => new(1, MemoryArena: false);

    /// <summary>The runtime's defaults with the model's <c>intra_op_threads</c> and <c>memory_arena</c> applied.</summary>
    /// <exception cref="ModelLoadException">A setting's value is invalid (the message names it and what is expected).</exception>
    public static OnnxSessionSettings Resolve(ModelLoadContext context, OnnxRuntimeOptions defaults) =>
        new(ReadIntraOpThreads(context, defaults.IntraOpThreads), ReadMemoryArena(context, defaults.MemoryArena));

    /// <summary>New session options; the caller disposes them once the session exists.</summary>
    public SessionOptions CreateSessionOptions(string logId) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        IntraOpNumThreads = IntraOpThreads,
        InterOpNumThreads = 1,
        EnableCpuMemArena = MemoryArena,
        LogId = logId,
        // Failures reach the caller as ModelLoadException/InferenceException; keep ORT's own stderr quiet.
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
    };

    private static int ReadIntraOpThreads(ModelLoadContext context, int fallback)
    {
        if (!context.Settings.TryGetValue(OnnxRuntimeOptions.IntraOpThreadsSetting, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var threads) || threads > 1024)
        {
            throw new ModelLoadException(
                $"Setting {OnnxRuntimeOptions.IntraOpThreadsSetting}='{text}' for model '{context.Name}' is invalid: " +
                "expected a whole number from 0 (automatic) to 1024.");
        }

        return threads;
    }

    private static bool ReadMemoryArena(ModelLoadContext context, bool fallback)
    {
        if (!context.Settings.TryGetValue(OnnxRuntimeOptions.MemoryArenaSetting, out var text))
        {
            return fallback;
        }

        if (!bool.TryParse(text, out var enabled))
        {
            throw new ModelLoadException(
                $"Setting {OnnxRuntimeOptions.MemoryArenaSetting}='{text}' for model '{context.Name}' is invalid: " +
                "expected true or false.");
        }

        return enabled;
    }
}
