using ServeSharp.Abstractions;

namespace ServeSharp.Server.Tests.TestModels;

/// <summary>KServe's conformance model: outputs <c>fp16_output</c> (FP16 [8]) and <c>fp32_output</c> (FP32 [8]) of the iris values.</summary>
internal sealed class Fp16OutputModel(string name) : IModel
{
    public static readonly float[] Values = [6.8f, 2.8f, 4.8f, 1.4f, 6.0f, 3.4f, 4.5f, 1.6f];

    public string Name { get; } = name;

    public ModelMetadata Metadata => new() { Name = Name };

    public ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new InferenceResponse(Name, [
            Tensor.Create("fp16_output", [8], Values.Select(v => (Half)v).ToArray()),
            Tensor.Create("fp32_output", [8], Values.ToArray()),
        ]));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
