using System.Text.Json.Serialization;
using k8s.Models;
using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Api.V1Alpha1;

/// <summary><c>serving.kserve.io/v1alpha1</c> TrainedModel (shortName <c>tm</c>): one model of a multi-model predictor.</summary>
public sealed record TrainedModel : KServeResource
{
    /// <summary>Creates an empty TrainedModel with apiVersion and kind set.</summary>
    public TrainedModel()
    {
        ApiVersion = KServeGroup.V1Alpha1;
        Kind = KServeGroup.TrainedModelKind;
    }

    /// <summary>Spec.</summary>
    [JsonPropertyName("spec")]
    [SchemaRequired]
    public TrainedModelSpec Spec { get; set; } = new();

    /// <summary>Status.</summary>
    [JsonPropertyName("status")]
    public TrainedModelStatus? Status { get; set; }
}

/// <summary>TrainedModel spec.</summary>
public sealed record TrainedModelSpec
{
    /// <summary>Parent InferenceService (required).</summary>
    [JsonPropertyName("inferenceService")]
    [SchemaRequired]
    public string? InferenceService { get; set; }

    /// <summary>Model (required).</summary>
    [JsonPropertyName("model")]
    [SchemaRequired]
    public TrainedModelModelSpec Model { get; set; } = new();
}

/// <summary>TrainedModel <c>spec.model</c>.</summary>
public sealed record TrainedModelModelSpec
{
    /// <summary>Model location (s3, gs, http, https).</summary>
    [JsonPropertyName("storageUri")]
    [SchemaRequired]
    public string? StorageUri { get; set; }

    /// <summary>Framework name.</summary>
    [JsonPropertyName("framework")]
    [SchemaRequired]
    public string? Framework { get; set; }

    /// <summary>Memory the model needs (a Kubernetes quantity; immutable).</summary>
    [JsonPropertyName("memory")]
    [SchemaRequired]
    public ResourceQuantity? Memory { get; set; }
}

/// <summary>TrainedModel status.</summary>
public sealed record TrainedModelStatus
{
    /// <summary>Conditions.</summary>
    [JsonPropertyName("conditions")]
    public IList<Condition>? Conditions { get; set; }

    /// <summary>URL.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; set; }

    /// <summary>Address.</summary>
    [JsonPropertyName("address")]
    public Addressable? Address { get; set; }

    /// <summary>Observed generation.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }
}
