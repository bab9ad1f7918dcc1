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

    /// <summary>The native estimator.</summary>
    public IPredictor Predictor => _predictor;

    /// <inheritdoc />
    public ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var x = RequestFrameDecoder.Decode(request);
        var wantProba = request.Parameters.GetBool(PredictProbaParameter) ?? _predictProbaDefault;
        Tensor output;
        // Like KServe: predict_proba only when asked for and the estimator has it (hasattr), else predict.
        if (wantProba && _predictor.HasPredictProba)
        {
            var p = _predictor.PredictProba(x, out var classes);
            output = Tensor.Create(OutputName, [x.Rows, classes], p);
        }
        else
        {
            output = _predictor.Predict(x, OutputName);
        }

        return ValueTask.FromResult(new InferenceResponse(Name, [output]) { Id = request.Id });
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
