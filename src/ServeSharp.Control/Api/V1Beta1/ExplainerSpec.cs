using System.Text.Json.Serialization;
using k8s.Models;

namespace ServeSharp.Control.Api.V1Beta1;

/// <summary><c>spec.explainer</c>: the ART explainer or custom containers, plus component extensions.</summary>
public sealed record ExplainerSpec : ComponentSpec
{
    /// <summary>Adversarial Robustness Toolbox explainer.</summary>
    [JsonPropertyName("art")]
    public ArtExplainerSpec? Art { get; set; }
}

/// <summary><c>explainer.art</c>.</summary>
public sealed record ArtExplainerSpec : V1Container
{
    /// <summary>Explainer type; only SquareAttack.</summary>
    [JsonPropertyName("type")]
    [SchemaRequired]
    [SchemaEnum("SquareAttack")]
    public string? Type { get; set; }

    /// <summary>Explainer artifacts location.</summary>
    [JsonPropertyName("storageUri")]
    public string? StorageUri { get; set; }

    /// <summary>Image tag.</summary>
    [JsonPropertyName("runtimeVersion")]
    public string? RuntimeVersion { get; set; }

    /// <summary>Explainer parameters.</summary>
    [JsonPropertyName("config")]
    public IDictionary<string, string>? Config { get; set; }

    /// <summary>Storage spec.</summary>
    [JsonPropertyName("storage")]
    public ModelStorageSpec? Storage { get; set; }
}
