namespace ServeSharp.Abstractions;

/// <summary>
/// A loaded model that answers inference requests. Implementations must be safe to call concurrently.
/// Bad requests are reported by throwing <see cref="InferenceException"/> with
/// <see cref="InferenceErrorKind.InvalidInput"/>; any other exception is reported as an inference failure.
/// </summary>
public interface IModel : IAsyncDisposable
{
    /// <summary>The name the model is served under.</summary>
    string Name { get; }

    /// <summary>Declared inputs and outputs.</summary>
    ModelMetadata Metadata { get; }

    /// <summary>Runs inference. Outputs not in <see cref="InferenceRequest.Outputs"/> may be returned; the data plane filters them.</summary>
    ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken);
}
