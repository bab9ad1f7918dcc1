using System.Text.Json.Serialization;
using k8s.Models;
using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Api.V1Alpha1;

/// <summary><c>serving.kserve.io/v1alpha1</c> InferenceGraph (shortName <c>ig</c>).</summary>
public sealed record InferenceGraph : KServeResource
{
    /// <summary>Creates an empty graph with apiVersion and kind set.</summary>
    public InferenceGraph()
    {
        ApiVersion = KServeGroup.V1Alpha1;
        Kind = KServeGroup.InferenceGraphKind;
    }

    /// <summary>Spec.</summary>
    [JsonPropertyName("spec")]
    [SchemaRequired]
    public InferenceGraphSpec Spec { get; set; } = new();

    /// <summary>Status.</summary>
    [JsonPropertyName("status")]
    public InferenceGraphStatus? Status { get; set; }
}

/// <summary>InferenceGraph spec.</summary>
public sealed record InferenceGraphSpec
{
    /// <summary>Nodes by name; must contain <c>root</c>.</summary>
    [JsonPropertyName("nodes")]
    [SchemaRequired]
    public IDictionary<string, InferenceRouter>? Nodes { get; set; }

    /// <summary>Router resources.</summary>
    [JsonPropertyName("resources")]
    public V1ResourceRequirements? Resources { get; set; }

    /// <summary>Affinity.</summary>
    [JsonPropertyName("affinity")]
    public V1Affinity? Affinity { get; set; }

    /// <summary>Tolerations.</summary>
    [JsonPropertyName("tolerations")]
    public IList<V1Toleration>? Tolerations { get; set; }

    /// <summary>Node selector.</summary>
    [JsonPropertyName("nodeSelector")]
    public IDictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Node name.</summary>
    [JsonPropertyName("nodeName")]
    public string? NodeName { get; set; }

    /// <summary>Service account.</summary>
    [JsonPropertyName("serviceAccountName")]
    public string? ServiceAccountName { get; set; }

    /// <summary>Request timeout seconds.</summary>
    [JsonPropertyName("timeout")]
    public long? TimeoutSeconds { get; set; }

    /// <summary>Minimum replicas.</summary>
    [JsonPropertyName("minReplicas")]
    public int? MinReplicas { get; set; }

    /// <summary>Maximum replicas.</summary>
    [JsonPropertyName("maxReplicas")]
    public int? MaxReplicas { get; set; }

    /// <summary>Scale target.</summary>
    [JsonPropertyName("scaleTarget")]
    public int? ScaleTarget { get; set; }

    /// <summary>Scale metric.</summary>
    [JsonPropertyName("scaleMetric")]
    [SchemaEnum("cpu", "memory", "concurrency", "rps")]
    public string? ScaleMetric { get; set; }

    /// <summary>Router timeouts in seconds.</summary>
    [JsonPropertyName("routerTimeouts")]
    public RouterTimeouts? RouterTimeouts { get; set; }
}

/// <summary>One graph node.</summary>
public sealed record InferenceRouter
{
    /// <summary>Sequence, Splitter, Ensemble or Switch.</summary>
    [JsonPropertyName("routerType")]
    [SchemaRequired]
    [SchemaEnum("Sequence", "Splitter", "Ensemble", "Switch")]
    public string? RouterType { get; set; }

    /// <summary>Steps.</summary>
    [JsonPropertyName("steps")]
    public IList<InferenceStep>? Steps { get; set; }
}

/// <summary>One step of a node.</summary>
public sealed record InferenceStep
{
    /// <summary>Step name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>Target node.</summary>
    [JsonPropertyName("nodeName")]
    public string? NodeName { get; set; }

    /// <summary>Target InferenceService.</summary>
    [JsonPropertyName("serviceName")]
    public string? ServiceName { get; set; }

    /// <summary>Target URL.</summary>
    [JsonPropertyName("serviceUrl")]
    public string? ServiceUrl { get; set; }

    /// <summary><c>$request</c> or <c>$response</c>.</summary>
    [JsonPropertyName("data")]
    public string? Data { get; set; }

    /// <summary>Moves <c>predictions</c> to <c>instances</c>.</summary>
    [JsonPropertyName("mapPredictionsToInstances")]
    public bool? MapPredictionsToInstances { get; set; }

    /// <summary>Splitter weight.</summary>
    [JsonPropertyName("weight")]
    public long? Weight { get; set; }

    /// <summary>GJSON condition.</summary>
    [JsonPropertyName("condition")]
    public string? Condition { get; set; }

    /// <summary>Soft or Hard.</summary>
    [JsonPropertyName("dependency")]
    [SchemaEnum("Soft", "Hard")]
    public string? Dependency { get; set; }
}

/// <summary>Router timeouts.</summary>
public sealed record RouterTimeouts
{
    /// <summary>Server read timeout.</summary>
    [JsonPropertyName("serverRead")]
    public long? ServerRead { get; set; }

    /// <summary>Server write timeout.</summary>
    [JsonPropertyName("serverWrite")]
    public long? ServerWrite { get; set; }

    /// <summary>Server idle timeout.</summary>
    [JsonPropertyName("serverIdle")]
    public long? ServerIdle { get; set; }

    /// <summary>Upstream client timeout.</summary>
    [JsonPropertyName("serviceClient")]
    public long? ServiceClient { get; set; }
}

/// <summary>InferenceGraph status.</summary>
public sealed record InferenceGraphStatus
{
    /// <summary>Conditions.</summary>
    [JsonPropertyName("conditions")]
    public IList<Condition>? Conditions { get; set; }

    /// <summary>URL.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; set; }

    /// <summary>Deployment mode.</summary>
    [JsonPropertyName("deploymentMode")]
    public string? DeploymentMode { get; set; }

    /// <summary>Observed generation.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }
}
