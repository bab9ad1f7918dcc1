using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.Serving;

namespace ServeSharp.Runtimes.Trees.LightGbm;

/// <summary>
/// A loaded LightGBM model answering with what <c>Booster.predict(x)</c> returns (FP64; probabilities for
/// classifiers). With <c>content_type: pd</c> columns are matched to the model's feature names.
/// </summary>
internal sealed class LightGbmModel : IModel
{
    private readonly LightGbmPredictor _predictor;

    public LightGbmModel(string name, LightGbmPredictor predictor)
    {
        Name = name;
        _predictor = predictor;
        long[] outputShape = predictor.OutputCount == 1 ? [-1] : [-1, predictor.OutputCount];
        Metadata = new ModelMetadata
        {
            Name = name,
            Platform = "lightgbm",
            Inputs = [new TensorMetadata("input-0", TensorDataType.FP64, [-1, predictor.FeatureCount])],
            Outputs = [new TensorMetadata("output-0", TensorDataType.FP64, outputShape)],
        };
    }

    public string Name { get; }

    public ModelMetadata Metadata { get; }

    public ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var features = _predictor.FeatureCount;
        var matrix = FeatureMatrix.FromRequest(
            request, features, _predictor.FeatureNames,
            got => $"The number of features in data ({got}) is not the same as it was in training data ({features}).");
        var output = _predictor.Predict(matrix.Values, matrix.Rows);
        var k = _predictor.OutputCount;
        long[] shape = k == 1 ? [matrix.Rows] : [matrix.Rows, k];
        var tensor = new Tensor("output-0", TensorDataType.FP64, shape, output);
        return ValueTask.FromResult(new InferenceResponse(Name, [tensor]) { Id = request.Id });
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
