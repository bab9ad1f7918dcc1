using ServeSharp.Abstractions;

namespace ServeSharp.Server.Tests.TestModels;

/// <summary>An echo model whose explanation is the input sum per row as output <c>explanations</c>.</summary>
internal sealed class ExplainableEchoModel(string name) : EchoModel(name), IExplainableModel
{
    public ValueTask<InferenceResponse> ExplainAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var input = request.Inputs[0];
        var values = input.ToDoubleArray();
        var rows = input.Shape.Length > 0 ? (int)input.Shape[0] : 1;
        var width = rows == 0 ? 0 : values.Length / rows;
        var sums = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            sums[r] = values.AsSpan(r * width, width).ToArray().Sum();
        }

        return ValueTask.FromResult(new InferenceResponse(Name, [Tensor.Create("explanations", [rows], sums)]));
    }
}
