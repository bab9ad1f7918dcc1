using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators;

namespace ServeSharp.Runtimes.Sklearn.Serving;

/// <summary>A loaded scikit-learn estimator served like KServe's sklearnserver.</summary>
public sealed class SklearnModel : IModel
{
    /// <summary>The output name KServe gives a single numpy result.</summary>
    public const string OutputName = "output-0";

    /// <summary>Request parameter that switches predict_proba on or off for one request.</summary>
    public const string PredictProbaParameter = "predict_proba";

    // Estimated time for the rest of a request above which its blocks are predicted in parallel.
    private static readonly TimeSpan ParallelWorthIt = TimeSpan.FromMilliseconds(1);

    private readonly IPredictor _predictor;
    private readonly bool _predictProbaDefault;

    /// <summary>Wraps <paramref name="predictor"/>.</summary>
    public SklearnModel(string name, IPredictor predictor, bool predictProba, string estimatorClass)
    {
        Name = name;
        _predictor = predictor;
        _predictProbaDefault = predictProba;
        EstimatorClass = estimatorClass;
        Metadata = new ModelMetadata
        {
            Name = name,
            Platform = "sklearn",
            Inputs = [new TensorMetadata("input-0", TensorDataType.FP64, [-1, predictor.FeatureCount ?? -1])],
            Outputs = [new TensorMetadata(OutputName, predictProba && predictor.HasPredictProba ? TensorDataType.FP64 : TensorDataType.Bytes, [-1])],
        };
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The top-level estimator's class.</summary>
    public string EstimatorClass { get; }

    /// <inheritdoc />
    public ModelMetadata Metadata { get; }

    /// <summary>Threads one request of several row blocks may use; 0 means one per core, 1 disables parallelism.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>The native estimator.</summary>
    public IPredictor Predictor => _predictor;

    /// <inheritdoc />
    public ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        // Like KServe: predict_proba only when asked for and the estimator has it (hasattr), else predict.
        var wantProba = (request.Parameters.GetBool(PredictProbaParameter) ?? _predictProbaDefault) && _predictor.HasPredictProba;
        var blocks = DenseRequestRows.TryCreate(request);
        var output = blocks is null
            ? Predict(RequestFrameDecoder.Decode(request), wantProba)
            : PredictBlocks(blocks, wantProba, cancellationToken);
        return ValueTask.FromResult(new InferenceResponse(Name, [output]) { Id = request.Id });
    }

    private Tensor Predict(FeatureFrame x, bool wantProba)
    {
        if (!wantProba)
        {
            return _predictor.Predict(x, OutputName);
        }

        var p = _predictor.PredictProba(x, out var classes);
        return Tensor.Create(OutputName, [x.Rows, classes], p);
    }

    private Tensor PredictBlocks(DenseRequestRows blocks, bool wantProba, CancellationToken cancellationToken)
    {
        var parts = new Tensor[blocks.BlockCount];
        var threads = IntraOpThreads <= 0 ? Environment.ProcessorCount : IntraOpThreads;
        var started = Stopwatch.GetTimestamp();
        parts[0] = Predict(blocks.Block(0), wantProba);
        var remaining = Stopwatch.GetElapsedTime(started) * (parts.Length - 1);
        if (threads == 1 || remaining < ParallelWorthIt)
        {
            // Cheap models (a scaler and a linear model: microseconds a block) lose more to waking threads than
            // they gain, so only work the first block shows to be long is spread over cores.
            for (var b = 1; b < parts.Length; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                parts[b] = Predict(blocks.Block(b), wantProba);
            }
        }
        else
        {
            // Estimators are immutable after loading, so blocks can be predicted concurrently.
            var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
            try
            {
                Parallel.For(1, parts.Length, options, b => parts[b] = Predict(blocks.Block(b), wantProba));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }
        }

        return TensorRows.Concatenate(OutputName, parts);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
