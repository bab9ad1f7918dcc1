using System.Text.Json.Serialization;

namespace ServeSharp.Control.Api.V1Beta1;

/// <summary><c>serving.kserve.io/v1beta1</c> InferenceService (shortName <c>isvc</c>).</summary>
public sealed record InferenceService : KServeResource
{
    /// <summary>Creates an empty InferenceService with apiVersion and kind set.</summary>
    public InferenceService()
    {
        ApiVersion = KServeGroup.V1Beta1;
        Kind = KServeGroup.InferenceServiceKind;
    }

    /// <summary>Desired state.</summary>
    [JsonPropertyName("spec")]
    [SchemaRequired]
    public InferenceServiceSpec Spec { get; set; } = new();

    /// <summary>Observed state.</summary>
    [JsonPropertyName("status")]
    public InferenceServiceStatus? Status { get; set; }
}

/// <summary>InferenceService <c>spec</c>.</summary>
public sealed record InferenceServiceSpec
{
    /// <summary>The predictor (required).</summary>
    [JsonPropertyName("predictor")]
    [SchemaRequired]
    public PredictorSpec Predictor { get; set; } = new();

    /// <summary>Optional pre/post-processing component.</summary>
    [JsonPropertyName("transformer")]
    public TransformerSpec? Transformer { get; set; }

    /// <summary>Optional explainer component.</summary>
    [JsonPropertyName("explainer")]
    public ExplainerSpec? Explainer { get; set; }

    /// <summary>Standard-mode canary predictors.</summary>
    [JsonPropertyName("canary")]
    public IList<CanarySpec>? Canary { get; set; }
}

/// <summary>One entry of <c>spec.canary[]</c>.</summary>
public sealed record CanarySpec
{
    /// <summary>Predictor override for the canary (its <c>name</c> is required).</summary>
    [JsonPropertyName("predictor")]
    [SchemaRequired]
    public PredictorSpec Predictor { get; set; } = new();

    /// <summary>Share of traffic, 0..100.</summary>
    [JsonPropertyName("trafficPercent")]
    [SchemaRequired]
    [SchemaRange(0, 100)]
    public int? TrafficPercent { get; set; }
}
