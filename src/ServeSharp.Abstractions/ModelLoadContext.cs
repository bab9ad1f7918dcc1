namespace ServeSharp.Abstractions;

/// <summary>Everything a runtime needs to load one model.</summary>
public sealed record ModelLoadContext
{
    /// <summary>The name the model will be served under.</summary>
    public required string Name { get; init; }

    /// <summary>Local directory (already downloaded) holding the model files.</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>
    /// Free-form settings for the runtime (e.g. <c>predict_proba</c>, <c>intra_op_threads</c>),
    /// from command-line options, environment or a model settings file. Keys are case-insensitive.
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
