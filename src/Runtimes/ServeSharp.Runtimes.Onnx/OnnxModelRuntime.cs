using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using ServeSharp.Abstractions;
using ModelMetadata = ServeSharp.Abstractions.ModelMetadata;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// Serves ONNX models (KServe model format <c>onnx</c>) with Microsoft.ML.OnnxRuntime on the CPU.
/// The model directory must hold <c>model.onnx</c>, or exactly one <c>*.onnx</c> file.
/// </summary>
public sealed class OnnxModelRuntime : IModelRuntime
{
    /// <summary>The KServe model-format name.</summary>
    public const string FormatName = "onnx";

    /// <summary>The Triton platform string for ONNX models, reported in V2 model metadata.</summary>
    public const string Platform = "onnx_onnxv1";

    private readonly OnnxRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the runtime with default options.</summary>
    public OnnxModelRuntime()
        : this(new OnnxRuntimeOptions(), NullLogger.Instance, TimeProvider.System)
    {
    }

    /// <summary>Creates the runtime (the constructor dependency injection uses).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public OnnxModelRuntime(IOptions<OnnxRuntimeOptions> options, ILogger<OnnxModelRuntime> logger, TimeProvider timeProvider)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), logger, timeProvider)
    {
    }

    /// <summary>Creates the runtime.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public OnnxModelRuntime(OnnxRuntimeOptions options, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        OnnxTelemetry.DisableUnlessConfigured();
        _options = options;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    }

    /// <inheritdoc />
    public string Format => FormatName;

    /// <summary>
    /// Creates ONNX Runtime's process-wide environment now, on the calling thread, if it does not exist yet, and one
    /// session of a one-node graph (<see cref="WarmUpGraph"/>), which builds the CPU provider's kernel registry that
    /// every later session shares. The first model load otherwise pays for both: loading the native library,
    /// registering every operator schema and every CPU kernel take about 70 ms of CPU, which a server can overlap with
    /// building its host when it knows early that it will serve ONNX models. Call it on the process's main thread where
    /// possible: the environment allocates ~8 MB in small blocks, which glibc takes from the main heap with a few brk
    /// calls but grows a worker thread's arena for a page at a time (one mprotect per 4 KB, ~2,000 calls). It is the environment every session uses (<see cref="OrtEnv.Instance"/>,
    /// default settings), so loading behaves the same with or without it; a failure is left for the model load to report.
    /// </summary>
    public static void WarmUp()
    {
        OnnxTelemetry.DisableUnlessConfigured();
        try
        {
            _ = OrtEnv.Instance();
            CreateWarmUpSession().Dispose();
        }
        catch (Exception)
        {
            // Only a head start: whatever failed here (native library missing or unloadable, environment or session
            // creation) fails again in the model load, which reports it in the model's state.
        }
    }

    /// <summary>
    /// An ONNX model (IR 7, opset 13) whose graph is one <c>Identity</c> from float tensor <c>x</c> [1] to <c>y</c>:
    /// the smallest session that initialises what every model's session needs.
    /// </summary>
    internal static ReadOnlySpan<byte> WarmUpGraph =>
    [
        0x08, 0x07, 0x12, 0x0a, 0x73, 0x65, 0x72, 0x76, 0x65, 0x73, 0x68, 0x61, 0x72, 0x70, 0x3a, 0x3d, 0x0a, 0x10, 0x0a, 0x01,
        0x78, 0x12, 0x01, 0x79, 0x22, 0x08, 0x49, 0x64, 0x65, 0x6e, 0x74, 0x69, 0x74, 0x79, 0x12, 0x07, 0x77, 0x61, 0x72, 0x6d,
        0x2d, 0x75, 0x70, 0x5a, 0x0f, 0x0a, 0x01, 0x78, 0x12, 0x0a, 0x0a, 0x08, 0x08, 0x01, 0x12, 0x04, 0x0a, 0x02, 0x08, 0x01,
        0x62, 0x0f, 0x0a, 0x01, 0x79, 0x12, 0x0a, 0x0a, 0x08, 0x08, 0x01, 0x12, 0x04, 0x0a, 0x02, 0x08, 0x01, 0x42, 0x04, 0x0a,
        0x00, 0x10, 0x0d,
    ];

    /// <summary>A session of <see cref="WarmUpGraph"/> with the options of a model load (one intra-op thread).</summary>
    internal static InferenceSession CreateWarmUpSession()
    {
        using var options = OnnxSessionSettings.WarmUp.CreateSessionOptions("warm-up");
        return new InferenceSession(WarmUpGraph.ToArray(), options);
    }

    /// <summary>
    /// True when the directory holds at least one top-level <c>*.onnx</c> file. A directory with several and no
    /// <c>model.onnx</c> is still claimed, so that loading it explains the ambiguity instead of "unknown format".
    /// </summary>
    public bool CanLoad(string modelDirectory) => OnnxModelFile.Exists(modelDirectory);

    /// <inheritdoc />
    public ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var started = _timeProvider.GetTimestamp();
        var file = OnnxModelFile.Locate(context.ModelDirectory);
        var settings = OnnxSessionSettings.Resolve(context, _options);

        InferenceSession session;
        try
        {
            using var sessionOptions = settings.CreateSessionOptions(context.Name);
            session = new InferenceSession(file, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"Cannot load ONNX model file '{file}': {OnnxErrors.Describe(ex)}", ex);
        }

        try
        {
            var model = CreateModel(context.Name, file, session);
            OnnxRuntimeLog.ModelLoaded(
                _logger, context.Name, file, _timeProvider.GetElapsedTime(started).TotalMilliseconds,
                model.Metadata.Inputs.Count, model.Metadata.Outputs.Count, settings.IntraOpThreads,
                settings.MemoryArena);
            return ValueTask.FromResult<IModel>(model);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private OnnxModel CreateModel(string name, string file, InferenceSession session)
    {
        var inputs = new List<OnnxInputSpec>();
        foreach (var (inputName, node) in session.InputNames.Select(n => (n, session.InputMetadata[n])))
        {
            if (!node.IsTensor || !OnnxElementTypes.TryToDataType(node.ElementDataType, out var dataType))
            {
                throw new ModelLoadException(
                    $"ONNX model file '{file}' has input '{inputName}' of type {Describe(node)}, which the Open " +
                    "Inference Protocol cannot carry; supported are tensors of bool, (u)int8-64, float16, bfloat16, " +
                    "float, double and string.");
            }

            inputs.Add(new OnnxInputSpec(inputName, dataType, ToShape(node), node.SymbolicDimensions));
        }

        var outputs = new List<OnnxOutputSpec>();
        var outputMetadata = new List<TensorMetadata>();
        foreach (var outputName in session.OutputNames)
        {
            var node = session.OutputMetadata[outputName];
            if (!node.IsTensor || !OnnxElementTypes.TryToDataType(node.ElementDataType, out var dataType))
            {
                OnnxRuntimeLog.OutputSkipped(_logger, name, outputName, Describe(node));
                continue;
            }

            var shape = OnnxOutputShape.TryCreate(
                dataType, ToShape(node), node.SymbolicDimensions, [.. inputs.Select(i => (i.Dimensions, i.Symbols))]);
            outputs.Add(new OnnxOutputSpec(outputName, dataType, shape));
            outputMetadata.Add(new TensorMetadata(outputName, dataType, ToShape(node)));
        }

        if (outputs.Count == 0)
        {
            throw new ModelLoadException(
                $"ONNX model file '{file}' has no tensor output the Open Inference Protocol can carry.");
        }

        var metadata = new ModelMetadata
        {
            Name = name,
            Platform = Platform,
            Inputs = [.. inputs.Select(i => new TensorMetadata(i.Name, i.DataType, i.Dimensions))],
            Outputs = outputMetadata,
        };
        return new OnnxModel(name, file, session, [.. inputs], [.. outputs], metadata);
    }

    private static long[] ToShape(NodeMetadata node) => Array.ConvertAll(node.Dimensions, d => d < 0 ? -1L : d);

    private static string Describe(NodeMetadata node) =>
        node.IsTensor ? $"tensor({node.ElementDataType})" : node.OnnxValueType.ToString();
}
