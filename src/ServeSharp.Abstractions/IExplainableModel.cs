namespace ServeSharp.Abstractions;

/// <summary>A model that can also explain its predictions (<c>:explain</c>).</summary>
public interface IExplainableModel : IModel
{
    /// <summary>Explains the predictions for the request's inputs.</summary>
    ValueTask<InferenceResponse> ExplainAsync(InferenceRequest request, CancellationToken cancellationToken);
}
