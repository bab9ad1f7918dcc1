namespace ServeSharp.Abstractions;

/// <summary>The protocol-neutral inference response a model returns.</summary>
public sealed class InferenceResponse
{
    /// <summary>Creates a response from <paramref name="modelName"/> with the given outputs.</summary>
    public InferenceResponse(string modelName, IReadOnlyList<Tensor> outputs)
    {
        ModelName = modelName ?? throw new ArgumentNullException(nameof(modelName));
        Outputs = outputs ?? throw new ArgumentNullException(nameof(outputs));
    }

    /// <summary>The model that answered.</summary>
    public string ModelName { get; }

    /// <summary>The version that answered, or null for unversioned models.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>The request id (the caller's, or one the server generated). Set by the data plane when null.</summary>
    public string? Id { get; set; }

    /// <summary>Response-level parameters.</summary>
    public InferParameters Parameters { get; init; } = new();

    /// <summary>The output tensors in model order.</summary>
    public IReadOnlyList<Tensor> Outputs { get; }
}
