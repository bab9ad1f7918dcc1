namespace ServeSharp.Abstractions;

/// <summary>What a model declares about itself (V2 model metadata).</summary>
public sealed record ModelMetadata
{
    /// <summary>The model name.</summary>
    public required string Name { get; init; }

    /// <summary>Available versions, or null for an unversioned model.</summary>
    public IReadOnlyList<string>? Versions { get; init; }

    /// <summary>Platform string, e.g. <c>onnx_onnxv1</c>; empty when there is none.</summary>
    public string Platform { get; init; } = string.Empty;

    /// <summary>Declared inputs (may be empty when the format does not describe them).</summary>
    public IReadOnlyList<TensorMetadata> Inputs { get; init; } = [];

    /// <summary>Declared outputs (may be empty).</summary>
    public IReadOnlyList<TensorMetadata> Outputs { get; init; } = [];
}
