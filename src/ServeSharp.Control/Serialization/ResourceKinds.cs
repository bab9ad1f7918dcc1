using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Serialization;

/// <summary>The (apiVersion, kind) pairs ServeSharp understands and their CLR types and resource plurals.</summary>
public static class ResourceKinds
{
    private static readonly Dictionary<(string ApiVersion, string Kind), (Type Type, string Plural, bool Namespaced)> Known = new()
    {
        [(KServeGroup.V1Beta1, KServeGroup.InferenceServiceKind)] = (typeof(InferenceService), "inferenceservices", true),
        [(KServeGroup.V1Alpha1, KServeGroup.ServingRuntimeKind)] = (typeof(ServingRuntime), "servingruntimes", true),
        [(KServeGroup.V1Alpha1, KServeGroup.ClusterServingRuntimeKind)] = (typeof(ClusterServingRuntime), "clusterservingruntimes", false),
        [(KServeGroup.V1Alpha1, KServeGroup.TrainedModelKind)] = (typeof(TrainedModel), "trainedmodels", true),
        [(KServeGroup.V1Alpha1, KServeGroup.InferenceGraphKind)] = (typeof(InferenceGraph), "inferencegraphs", true),
        [(KServeGroup.V1Alpha1, KServeGroup.ClusterStorageContainerKind)] = (typeof(ClusterStorageContainer), "clusterstoragecontainers", false),
    };

    /// <summary>The CLR type for a pair, or null when ServeSharp does not serve it.</summary>
    public static Type? Find(string apiVersion, string kind) =>
        Known.TryGetValue((apiVersion, kind), out var entry) ? entry.Type : null;

    /// <summary>Lower-case plural resource name, e.g. <c>inferenceservices</c>.</summary>
    public static string Plural(string apiVersion, string kind) =>
        Known.TryGetValue((apiVersion, kind), out var entry) ? entry.Plural : kind.ToLowerInvariant() + "s";

    /// <summary>True for namespaced kinds.</summary>
    public static bool IsNamespaced(string apiVersion, string kind) =>
        !Known.TryGetValue((apiVersion, kind), out var entry) || entry.Namespaced;
}
