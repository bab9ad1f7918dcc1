namespace ServeSharp.Local.Store;

/// <summary>The resource kinds the embedded control plane serves, looked up by URL segments or CLI names.</summary>
public sealed class ResourceTypeRegistry
{
    private readonly List<ResourceType> _types;

    /// <summary>Creates a registry of the given types.</summary>
    public ResourceTypeRegistry(IEnumerable<ResourceType> types)
    {
        _types = types.ToList();
    }

    /// <summary>The KServe resource kinds: InferenceService, ServingRuntime, ClusterServingRuntime, TrainedModel, InferenceGraph.</summary>
    public static ResourceTypeRegistry KServe { get; } = new(
    [
        new ResourceType("serving.kserve.io", "v1beta1", "InferenceService", "inferenceservices", true, ["isvc"]),
        new ResourceType("serving.kserve.io", "v1alpha1", "ServingRuntime", "servingruntimes", true, ["sr"]),
        new ResourceType("serving.kserve.io", "v1alpha1", "ClusterServingRuntime", "clusterservingruntimes", false, ["csr"]),
        new ResourceType("serving.kserve.io", "v1alpha1", "TrainedModel", "trainedmodels", true, ["tm"]),
        new ResourceType("serving.kserve.io", "v1alpha1", "InferenceGraph", "inferencegraphs", true, ["ig"]),
    ]);

    /// <summary>All registered types.</summary>
    public IReadOnlyList<ResourceType> All => _types;

    /// <summary>Finds the type served at <c>/apis/{group}/{version}/…/{plural}</c>.</summary>
    public ResourceType? FindByUrl(string group, string version, string plural) =>
        _types.FirstOrDefault(t =>
            string.Equals(t.Group, group, StringComparison.Ordinal)
            && string.Equals(t.Version, version, StringComparison.Ordinal)
            && string.Equals(t.Plural, plural, StringComparison.Ordinal));

    /// <summary>Finds a type by <c>apiVersion</c> and <c>kind</c> as written in a manifest.</summary>
    public ResourceType? FindByKind(string apiVersion, string kind) =>
        _types.FirstOrDefault(t =>
            string.Equals(t.ApiVersion, apiVersion, StringComparison.Ordinal)
            && string.Equals(t.Kind, kind, StringComparison.Ordinal));

    /// <summary>Finds a type by a name a user types: plural, singular, kind or short name (case-insensitive).</summary>
    public ResourceType? FindByName(string name) =>
        _types.FirstOrDefault(t =>
            string.Equals(t.Plural, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(t.Kind, name, StringComparison.OrdinalIgnoreCase)
            || t.ShortNames.Contains(name, StringComparer.OrdinalIgnoreCase));
}
