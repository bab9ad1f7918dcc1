namespace ServeSharp.Local.Store;

/// <summary>
/// One kind of resource the embedded API serves, e.g. <c>serving.kserve.io/v1beta1 InferenceService</c>.
/// Objects are stored by <see cref="StorageKey"/> (group and kind, not version), as Kubernetes does.
/// </summary>
/// <param name="Group">API group, e.g. <c>serving.kserve.io</c>.</param>
/// <param name="Version">Served version, e.g. <c>v1beta1</c>.</param>
/// <param name="Kind">Kind, e.g. <c>InferenceService</c>.</param>
/// <param name="Plural">Lower-case plural used in URLs, e.g. <c>inferenceservices</c>.</param>
/// <param name="Namespaced">False for cluster-scoped kinds such as <c>ClusterServingRuntime</c>.</param>
/// <param name="ShortNames">kubectl-style short names, e.g. <c>isvc</c>.</param>
public sealed record ResourceType(
    string Group,
    string Version,
    string Kind,
    string Plural,
    bool Namespaced,
    IReadOnlyList<string> ShortNames)
{
    /// <summary><c>group/version</c>, the value of <c>apiVersion</c>.</summary>
    public string ApiVersion => $"{Group}/{Version}";

    /// <summary>The key objects of this type are stored under: <c>group/Kind</c>.</summary>
    public string StorageKey => $"{Group}/{Kind}";

    /// <summary><c>plural.group</c>, the resource name Kubernetes uses in messages.</summary>
    public string QualifiedResource => $"{Plural}.{Group}";
}
