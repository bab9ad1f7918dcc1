namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// Process-wide defaults for ONNX models; a model's <c>intra_op_threads</c> and <c>memory_arena</c> settings override
/// them.
/// </summary>
public sealed class OnnxRuntimeOptions
{
    /// <summary>The <see cref="Abstractions.ModelLoadContext.Settings"/> key that overrides <see cref="IntraOpThreads"/>.</summary>
    public const string IntraOpThreadsSetting = "intra_op_threads";

    /// <summary>The <see cref="Abstractions.ModelLoadContext.Settings"/> key that overrides <see cref="MemoryArena"/>.</summary>
    public const string MemoryArenaSetting = "memory_arena";

    /// <summary>
    /// Threads ONNX Runtime may use inside one inference call. Default 1: a model server gets its parallelism from
    /// concurrent requests, and a per-call thread pool competes with them for the same cores (small models run
    /// fastest single-threaded). Raise it for large models served at low concurrency. 0 lets ONNX Runtime choose
    /// (one thread per physical core).
    /// </summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>
    /// Whether ONNX Runtime allocates tensors from its CPU memory arena (ONNX Runtime's own default) instead of the C
    /// heap. Default false: the arena serialises every allocation of every concurrent run of a session behind one
    /// mutex, which a server running many small requests at once pays for on each of them (iris over gRPC, 160
    /// requests in flight on 2 cores: about 1.5 µs of server CPU per request, 6–9% of the throughput), while the C
    /// heap keeps per-thread caches; the arena also never returns what it grew to. Turn it on for a model whose large
    /// intermediate tensors the C heap would map and unmap on every run.
    /// </summary>
    public bool MemoryArena { get; set; }

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
