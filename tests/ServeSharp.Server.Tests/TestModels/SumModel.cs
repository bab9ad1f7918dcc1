using ServeSharp.Abstractions;

namespace ServeSharp.Server.Tests.TestModels;

/// <summary>
/// Declares inputs <c>a</c> and <c>b</c> (FP64) and returns <c>sum</c> and <c>product</c>; rejects unknown input names
/// and mismatched shapes the way a runtime should (InvalidInput naming what it expected).
/// </summary>
internal sealed class SumModel(string name) : IModel
{
    public string Name { get; } = name;

    public ModelMetadata Metadata => new()
    {
        Name = Name,
        Inputs = [new TensorMetadata("a", TensorDataType.FP64, [-1]), new TensorMetadata("b", TensorDataType.FP64, [-1])],
        Outputs = [new TensorMetadata("sum", TensorDataType.FP64, [-1]), new TensorMetadata("product", TensorDataType.FP64, [-1])],
    };

    public ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        foreach (var input in request.Inputs)
        {
            if (input.Name is not ("a" or "b"))
            {
                throw InferenceException.InvalidInput($"Unknown input '{input.Name}' for model '{Name}'; expected inputs: a, b.");
            }
        }

        var a = request.FindInput("a") ?? throw InferenceException.InvalidInput("Input 'a' is missing.");
        var b = request.FindInput("b") ?? throw InferenceException.InvalidInput("Input 'b' is missing.");
        var x = a.ToDoubleArray();
        var y = b.ToDoubleArray();
        if (x.Length != y.Length)
        {
            throw InferenceException.InvalidInput($"Inputs 'a' and 'b' must have the same number of elements ({x.Length} vs {y.Length}).");
        }

        var sum = x.Zip(y, (p, q) => p + q).ToArray();
        var product = x.Zip(y, (p, q) => p * q).ToArray();
        return ValueTask.FromResult(new InferenceResponse(Name, [
            Tensor.Create("sum", [sum.Length], sum),
            Tensor.Create("product", [product.Length], product),
        ]));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
