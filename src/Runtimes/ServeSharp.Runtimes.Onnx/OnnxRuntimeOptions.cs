namespace ServeSharp.Runtimes.Onnx;

/// <summary>Process-wide defaults for ONNX models; a model's <c>intra_op_threads</c> setting overrides them.</summary>
public sealed class OnnxRuntimeOptions
{
    /// <summary>The <see cref="Abstractions.ModelLoadContext.Settings"/> key that overrides <see cref="IntraOpThreads"/>.</summary>
    public const string IntraOpThreadsSetting = "intra_op_threads";

    /// <summary>
    /// Threads ONNX Runtime may use inside one inference call. Default 1: a model server gets its parallelism from
    /// concurrent requests, and a per-call thread pool competes with them for the same cores (small models run
    /// fastest single-threaded). Raise it for large models served at low concurrency. 0 lets ONNX Runtime choose
    /// (one thread per physical core).
    /// </summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Throws when an option is out of range; call at start-up.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (IntraOpThreads is < 0 or > 1024)
        {
            throw new ArgumentOutOfRangeException(
                nameof(IntraOpThreads), IntraOpThreads, "ONNX intra-op threads must be between 0 (automatic) and 1024.");
        }
    }
}
