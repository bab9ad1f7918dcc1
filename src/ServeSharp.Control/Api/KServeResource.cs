using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace ServeSharp.Control.Api;

/// <summary>
/// Common shape of every <c>serving.kserve.io</c> object: apiVersion, kind, metadata.
/// Implements KubernetesClient's <see cref="IKubernetesObject{TMetadata}"/> so the objects work with its helpers.
/// </summary>
public abstract record KServeResource : IKubernetesObject<V1ObjectMeta>
{
    /// <summary><c>apiVersion</c>, e.g. <c>serving.kserve.io/v1beta1</c>.</summary>
    [JsonPropertyName("apiVersion")]
    [JsonPropertyOrder(-3)]
    public string ApiVersion { get; set; } = "";

    /// <summary><c>kind</c>, e.g. <c>InferenceService</c>.</summary>
    [JsonPropertyName("kind")]
    [JsonPropertyOrder(-2)]
    public string Kind { get; set; } = "";

    /// <summary>Standard object metadata.</summary>
    [JsonPropertyName("metadata")]
    [JsonPropertyOrder(-1)]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>Object name (empty when absent).</summary>
    [JsonIgnore]
    public string Name => Metadata.Name ?? "";

    /// <summary>Object namespace, or <c>default</c> when none is given (as kubectl does for namespaced kinds).</summary>
    [JsonIgnore]
    public string Namespace => string.IsNullOrEmpty(Metadata.NamespaceProperty) ? "default" : Metadata.NamespaceProperty;

    /// <summary>Reads an annotation, or null.</summary>
    public string? GetAnnotation(string key) =>
        Metadata.Annotations is { } a && a.TryGetValue(key, out var v) ? v : null;

    /// <summary>Sets an annotation, creating the map when needed.</summary>
    public void SetAnnotation(string key, string value)
    {
        Metadata.Annotations ??= new Dictionary<string, string>();
        Metadata.Annotations[key] = value;
    }

    /// <summary>Reads a label, or null.</summary>
    public string? GetLabel(string key) =>
        Metadata.Labels is { } l && l.TryGetValue(key, out var v) ? v : null;
}
