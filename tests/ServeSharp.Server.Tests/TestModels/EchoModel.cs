using ServeSharp.Abstractions;

namespace ServeSharp.Server.Tests.TestModels;

/// <summary>
/// Returns every input as an output of the same name, and echoes request parameters into the response (plus the
/// request header <c>x-echo-header</c>, when sent, as the parameter <c>echo_header</c>).
/// </summary>
internal class EchoModel(string name) : IModel
{
    public string Name { get; } = name;

    public ModelMetadata Metadata => new()
    {
        Name = Name,
        Platform = "test_echo",
        Inputs = [new TensorMetadata("x", TensorDataType.FP32, [-1, 4])],
        Outputs = [new TensorMetadata("x", TensorDataType.FP32, [-1, 4])],
    };

    public virtual ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var parameters = new InferParameters();
        foreach (var (key, value) in request.Parameters)
        {
            if (key != InferParameters.Names.BinaryDataOutput)
            {
                parameters[key] = value;
            }
        }

        if (request.Headers.TryGetValue("X-Echo-Header", out var header))
        {
            parameters["echo_header"] = InferParameter.FromString(header);
        }

        var outputs = request.Inputs.Select(t => new Tensor(t.Name, t.DataType, t.Shape, t.Data)).ToArray();
        return ValueTask.FromResult(new InferenceResponse(Name, outputs) { Parameters = parameters });
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
