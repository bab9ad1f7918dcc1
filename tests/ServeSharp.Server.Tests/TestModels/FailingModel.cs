using ServeSharp.Abstractions;

namespace ServeSharp.Server.Tests.TestModels;

/// <summary>A model whose predict throws an ordinary exception (an inference failure, 500).</summary>
internal sealed class FailingModel(string name) : IModel
{
    public string Name { get; } = name;

    public ModelMetadata Metadata => new() { Name = Name };

    public ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("matrix is singular");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
