using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.Engine;
using ServeSharp.Runtimes.Sklearn.Estimators;
using ServeSharp.Runtimes.Sklearn.Pickle;
using ServeSharp.Runtimes.Sklearn.Serving;

namespace ServeSharp.Runtimes.Sklearn;

/// <summary>
/// The <c>sklearn</c> model format: one <c>*.joblib</c>, <c>*.pkl</c> or <c>*.pickle</c> file in the model
/// directory (KServe sklearnserver's rule), read by the allow-listing unpickler and served by native estimators.
/// <c>predict_proba</c> is used when the <c>predict_proba</c> setting or the <c>PREDICT_PROBA</c> environment
/// variable is <c>true</c>, or per request with the <c>predict_proba</c> parameter.
/// </summary>
public sealed partial class SklearnRuntime : IModelRuntime
{
    /// <summary>File endings KServe's sklearnserver accepts.</summary>
    public static readonly string[] ModelExtensions = [".joblib", ".pkl", ".pickle"];

    private readonly ILogger<SklearnRuntime> _logger;
    private readonly EstimatorFactory _factory = new();

    /// <summary>Creates the runtime.</summary>
    public SklearnRuntime(ILogger<SklearnRuntime>? logger = null)
    {
        _logger = logger ?? NullLogger<SklearnRuntime>.Instance;
    }

    /// <summary>
    /// The <see cref="ModelLoadContext.Settings"/> key for the threads one large request may use: requests of
    /// several row blocks are predicted block by block in parallel, as scikit-learn's OpenMP code uses every core.
    /// 0 (the default) means one thread per core; 1 predicts on the request's thread only.
    /// </summary>
    public const string IntraOpThreadsSetting = "intra_op_threads";

    /// <summary>Limits applied to every file read.</summary>
    public PickleLimits Limits { get; init; } = PickleLimits.Default;

    /// <inheritdoc />
    public string Format => "sklearn";

    /// <inheritdoc />
    public bool CanLoad(string modelDirectory)
    {
        try
        {
            return Directory.Exists(modelDirectory) && FindModelFiles(modelDirectory).Count > 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Directory.Exists(context.ModelDirectory))
        {
            throw new ModelLoadException($"Model directory {context.ModelDirectory} does not exist");
        }

        var files = FindModelFiles(context.ModelDirectory);
        if (files.Count == 0)
        {
            throw new ModelLoadException(
                $"Model file not found in {context.ModelDirectory}: expected one file ending in .joblib, .pkl or .pickle");
        }

        if (files.Count > 1)
        {
            throw new ModelLoadException(
                $"More than one model file is detected, Only one is allowed within model_dir: [{string.Join(", ", files)}]");
        }

        var predictProba = ReadPredictProba(context.Settings);
        var model = LoadFile(context.Name, files[0], predictProba, ReadIntraOpThreads(context));
        return ValueTask.FromResult<IModel>(model);
    }

    /// <summary>
    /// Loads one model file. Throws <see cref="ModelLoadException"/> naming the file and the problem.
    /// <paramref name="intraOpThreads"/>: threads one large request may use (0 = one per core).
    /// </summary>
    public SklearnModel LoadFile(string name, string path, bool predictProba, int intraOpThreads = 0)
    {
        object? graph;
        try
        {
            graph = JoblibFile.Load(path, Limits);
        }
        catch (PickleSecurityException ex)
        {
            LogRefused(path, ex.Global);
            throw new ModelLoadException($"{path}: {ex.Message}", ex);
        }
        catch (PickleException ex)
        {
            throw new ModelLoadException($"{path}: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new ModelLoadException($"{path}: cannot read the file: {ex.Message}", ex);
        }

        try
        {
            var predictor = _factory.CreatePredictor(graph);
            var cls = graph is PyInstance i ? i.Type.FullName : "?";
            var version = graph is PyInstance j ? j.Attributes.GetValueOrDefault("_sklearn_version") as string : null;
            if (version is not null && !version.StartsWith("1.2.", StringComparison.Ordinal))
            {
                LogVersion(path, version);
            }

            LogLoaded(name, cls, path);
            return new SklearnModel(name, predictor, predictProba, cls) { IntraOpThreads = intraOpThreads };
        }
        catch (SklearnModelException ex)
        {
            throw new ModelLoadException($"{path}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is PickleException or TreeStructureException)
        {
            // The pickle parsed, but what it holds is not a consistent estimator: a structured array without a field
            // the estimator needs, or trees whose links or features point outside them.
            throw new ModelLoadException($"{path}: {ex.Message}", ex);
        }
        catch (OverflowException ex)
        {
            throw new ModelLoadException($"{path}: the estimator holds a count or index too large to be real ({ex.Message})", ex);
        }
    }

    private static int ReadIntraOpThreads(ModelLoadContext context)
    {
        if (!context.Settings.TryGetValue(IntraOpThreadsSetting, out var text))
        {
            return 0;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var threads) || threads > 1024)
        {
            throw new ModelLoadException(
                $"Setting {IntraOpThreadsSetting}='{text}' for model '{context.Name}' is invalid: expected 0 (one thread per core) to 1024.");
        }

        return threads;
    }

    private static bool ReadPredictProba(IReadOnlyDictionary<string, string> settings)
    {
        if (settings.TryGetValue("predict_proba", out var s))
        {
            return string.Equals(s, "true", StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(Environment.GetEnvironmentVariable("PREDICT_PROBA"), "true", StringComparison.OrdinalIgnoreCase);
    }

    private static List<string> FindModelFiles(string dir) =>
        Directory.EnumerateFiles(dir)
            .Where(f => ModelExtensions.Any(e => f.EndsWith(e, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded scikit-learn model {Name}: {EstimatorClass} from {Path}")]
    private partial void LogLoaded(string name, string estimatorClass, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to load {Path}: it references the global {Global}, which is not allow-listed; nothing was executed")]
    private partial void LogRefused(string path, string global);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} was written by scikit-learn {Version}; this runtime implements 1.2.x semantics")]
    private partial void LogVersion(string path, string version);
}
