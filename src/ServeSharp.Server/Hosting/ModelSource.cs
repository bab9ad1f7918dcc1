namespace ServeSharp.Server.Hosting;

/// <summary>Where a model comes from: its served name, its local directory and optionally its format.</summary>
/// <param name="Name">The name the model is served under.</param>
/// <param name="Directory">Local directory holding the model files.</param>
/// <param name="Format">KServe model-format name (e.g. <c>onnx</c>); null = detect with <c>IModelRuntime.CanLoad</c>.</param>
public sealed record ModelSource(string Name, string Directory, string? Format = null)
{
    /// <summary>Runtime settings passed to <c>ModelLoadContext.Settings</c> (e.g. <c>intra_op_threads</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
