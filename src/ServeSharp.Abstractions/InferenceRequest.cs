namespace ServeSharp.Abstractions;

/// <summary>
/// The protocol-neutral inference request every transport (V1 REST, V2 REST, V2 gRPC) decodes into.
/// </summary>
public sealed class InferenceRequest
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a request for <paramref name="modelName"/> with the given inputs.</summary>
    public InferenceRequest(string modelName, IReadOnlyList<Tensor> inputs)
    {
        ModelName = modelName ?? throw new ArgumentNullException(nameof(modelName));
        Inputs = inputs ?? throw new ArgumentNullException(nameof(inputs));
    }

    /// <summary>The target model (from the URL path or the gRPC message).</summary>
    public string ModelName { get; }

    /// <summary>The requested model version, or null for the server's choice.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>The caller's request id, echoed in the response; null when the caller sent none.</summary>
    public string? Id { get; init; }

    /// <summary>Which protocol the request arrived on.</summary>
    public InferenceProtocol Protocol { get; init; } = InferenceProtocol.V2Rest;

    /// <summary>Request-level parameters (e.g. <c>content_type</c>, <c>binary_data_output</c>).</summary>
    public InferParameters Parameters { get; init; } = new();

    /// <summary>The input tensors in request order.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>The outputs the caller asked for, in order; null means "all outputs".</summary>
    public IReadOnlyList<RequestedOutput>? Outputs { get; init; }

    /// <summary>Request headers / gRPC metadata, case-insensitive.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    /// <summary>The input called <paramref name="name"/>, or null.</summary>
    public Tensor? FindInput(string name)
    {
        foreach (var input in Inputs)
        {
            if (input.Name == name)
            {
                return input;
            }
        }

        return null;
    }
}
