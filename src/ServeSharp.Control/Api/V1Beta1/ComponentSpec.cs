using System.Text.Json.Serialization;
using k8s.Models;

namespace ServeSharp.Control.Api.V1Beta1;

/// <summary>
/// A component (predictor, transformer, explainer): an inline Kubernetes PodSpec plus KServe's inline
/// <c>ComponentExtensionSpec</c> (replicas, scaling, concurrency, timeout, canary, logger, batcher...) and <c>storageUris</c>.
/// </summary>
public abstract record ComponentSpec : V1PodSpec
{
    /// <summary>Minimum replicas; default 1; 0 enables scale-to-zero.</summary>
    [JsonPropertyName("minReplicas")]
    public int? MinReplicas { get; set; }

    /// <summary>Maximum replicas; 0 (or absent) = unlimited.</summary>
    [JsonPropertyName("maxReplicas")]
    public int? MaxReplicas { get; set; }

    /// <summary>Target value of the scale metric.</summary>
    [JsonPropertyName("scaleTarget")]
    public int? ScaleTarget { get; set; }

    /// <summary>Scale metric: cpu, memory, concurrency, rps.</summary>
    [JsonPropertyName("scaleMetric")]
    [SchemaEnum("cpu", "memory", "concurrency", "rps")]
    public string? ScaleMetric { get; set; }

    /// <summary>Declared by KServe, unused by its controllers.</summary>
    [JsonPropertyName("scaleMetricType")]
    [SchemaEnum("Utilization", "Value", "AverageValue")]
    public string? ScaleMetricType { get; set; }

    /// <summary>HPA/KEDA metric list and behavior.</summary>
    [JsonPropertyName("autoScaling")]
    public AutoScalingSpec? AutoScaling { get; set; }

    /// <summary>Hard concurrency limit per replica.</summary>
    [JsonPropertyName("containerConcurrency")]
    public long? ContainerConcurrency { get; set; }

    /// <summary>Request timeout in seconds.</summary>
    [JsonPropertyName("timeout")]
    public long? TimeoutSeconds { get; set; }

    /// <summary>Knative-mode share of traffic to the latest revision.</summary>
    [JsonPropertyName("canaryTrafficPercent")]
    public long? CanaryTrafficPercent { get; set; }

    /// <summary>Payload logging.</summary>
    [JsonPropertyName("logger")]
    public LoggerSpec? Logger { get; set; }

    /// <summary>Request batching.</summary>
    [JsonPropertyName("batcher")]
    public BatcherSpec? Batcher { get; set; }

    /// <summary>Labels added to component pods.</summary>
    [JsonPropertyName("labels")]
    public IDictionary<string, string>? Labels { get; set; }

    /// <summary>Annotations added to component pods.</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>Deployment strategy (Standard mode only).</summary>
    [JsonPropertyName("deploymentStrategy")]
    public V1DeploymentStrategy? DeploymentStrategy { get; set; }

    /// <summary>Multiple model sources.</summary>
    [JsonPropertyName("storageUris")]
    public IList<StorageUriSpec>? StorageUris { get; set; }
}

/// <summary>One entry of <c>storageUris</c>.</summary>
public sealed record StorageUriSpec
{
    /// <summary>Source URI (required, non-empty).</summary>
    [JsonPropertyName("uri")]
    [SchemaRequired]
    public string? Uri { get; set; }

    /// <summary>Mount path; default <c>/mnt/models</c>.</summary>
    [JsonPropertyName("mountPath")]
    [SchemaPattern("^/.*")]
    public string? MountPath { get; set; }
}
