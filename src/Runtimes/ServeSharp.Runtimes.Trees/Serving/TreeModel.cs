using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Trees.Serving;

/// <summary>
/// The serving shape the XGBoost and LightGBM models share: one <c>input-0</c> [rows, features] matrix in, one
/// <c>output-0</c> tensor out, [rows] for a single output or [rows, k] otherwise. Each format reads the request into a
/// <see cref="FeatureMatrix"/> its own way (names, checks, error wording) and predicts.
/// </summary>
internal abstract class TreeModel : IModel
{
    private readonly TensorDataType _outputType;
    private readonly int _outputWidth;

    protected TreeModel(string name, string platform, TensorDataType dataType, int featureCount, int outputWidth)
    {
        Name = name;
        _outputType = dataType;
        _outputWidth = outputWidth;
        long[] outputShape = outputWidth == 1 ? [-1] : [-1, outputWidth];
        Metadata = new ModelMetadata
        {
            Name = name,
            Platform = platform,
            Inputs = [new TensorMetadata("input-0", dataType, [-1, featureCount])],
            Outputs = [new TensorMetadata("output-0", dataType, outputShape)],
        };
    }

    public string Name { get; }

    public ModelMetadata Metadata { get; }

    public ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var matrix = ReadFeatures(request);
        var output = Predict(matrix);
        long[] shape = _outputWidth == 1 ? [matrix.Rows] : [matrix.Rows, _outputWidth];
        var tensor = new Tensor("output-0", _outputType, shape, output);
        return ValueTask.FromResult(new InferenceResponse(Name, [tensor]) { Id = request.Id });
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <exception cref="InferenceException">The request does not hold the model's features.</exception>
    protected abstract FeatureMatrix ReadFeatures(InferenceRequest request);

    /// <summary>rows × output-width predictions, as an array of the output datatype's element type.</summary>
    protected abstract Array Predict(FeatureMatrix matrix);
}
