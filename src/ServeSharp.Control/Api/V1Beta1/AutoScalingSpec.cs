using System.Text.Json.Serialization;
using k8s.Models;

namespace ServeSharp.Control.Api.V1Beta1;

/// <summary><c>autoScaling</c>: metric list and HPA behavior.</summary>
public sealed record AutoScalingSpec
{
    /// <summary>Metrics.</summary>
    [JsonPropertyName("metrics")]
    public IList<MetricsSpec>? Metrics { get; set; }

    /// <summary>HPA scaling behavior.</summary>
    [JsonPropertyName("behavior")]
    public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}

/// <summary>One metric.</summary>
public sealed record MetricsSpec
{
    /// <summary>Resource, External or PodMetric.</summary>
    [JsonPropertyName("type")]
    [SchemaRequired]
    [SchemaEnum("Resource", "External", "PodMetric")]
    public string? Type { get; set; }

    /// <summary>Resource metric.</summary>
    [JsonPropertyName("resource")]
    public ResourceMetricSource? Resource { get; set; }

    /// <summary>External metric.</summary>
    [JsonPropertyName("external")]
    public ExternalMetricSource? External { get; set; }

    /// <summary>Pod metric.</summary>
    [JsonPropertyName("podmetric")]
    public PodMetricSource? PodMetric { get; set; }
}

/// <summary>Resource metric source.</summary>
public sealed record ResourceMetricSource
{
    /// <summary>cpu or memory.</summary>
    [JsonPropertyName("name")]
    [SchemaRequired]
    [SchemaEnum("cpu", "memory")]
    public string? Name { get; set; }

    /// <summary>Target.</summary>
    [JsonPropertyName("target")]
    [SchemaRequired]
    public MetricTarget Target { get; set; } = new();
}

/// <summary>External metric source.</summary>
public sealed record ExternalMetricSource
{
    /// <summary>Metric query.</summary>
    [JsonPropertyName("metric")]
    public ExternalMetrics Metric { get; set; } = new();

    /// <summary>KEDA authentication.</summary>
    [JsonPropertyName("authenticationRef")]
    public ExtMetricAuthentication? AuthenticationRef { get; set; }

    /// <summary>Target.</summary>
    [JsonPropertyName("target")]
    public MetricTarget Target { get; set; } = new();
}

/// <summary>External metric query.</summary>
public sealed record ExternalMetrics
{
    /// <summary>prometheus or graphite.</summary>
    [JsonPropertyName("backend")]
    [SchemaEnum("prometheus", "graphite")]
    public string? Backend { get; set; }

    /// <summary>Server address.</summary>
    [JsonPropertyName("serverAddress")]
    public string? ServerAddress { get; set; }

    /// <summary>Query.</summary>
    [JsonPropertyName("query")]
    public string? Query { get; set; }

    /// <summary>Namespace.</summary>
    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }
}

/// <summary>KEDA TriggerAuthentication reference.</summary>
public sealed record ExtMetricAuthentication
{
    /// <summary>Reference.</summary>
    [JsonPropertyName("authenticationRef")]
    public AuthenticationRefSpec? AuthenticationRef { get; set; }

    /// <summary>Auth modes.</summary>
    [JsonPropertyName("authModes")]
    public string? AuthModes { get; set; }
}

/// <summary>Name reference.</summary>
public sealed record AuthenticationRefSpec
{
    /// <summary>Name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; set; }
}

/// <summary>Pod metric source (OpenTelemetry).</summary>
public sealed record PodMetricSource
{
    /// <summary>Metric query.</summary>
    [JsonPropertyName("metric")]
    public PodMetrics Metric { get; set; } = new();

    /// <summary>Target.</summary>
    [JsonPropertyName("target")]
    public MetricTarget Target { get; set; } = new();
}

/// <summary>Pod metric query.</summary>
public sealed record PodMetrics
{
    /// <summary>opentelemetry.</summary>
    [JsonPropertyName("backend")]
    [SchemaEnum("opentelemetry")]
    public string? Backend { get; set; }

    /// <summary>Server address.</summary>
    [JsonPropertyName("serverAddress")]
    public string? ServerAddress { get; set; }

    /// <summary>Metric names.</summary>
    [JsonPropertyName("metricNames")]
    public IList<string>? MetricNames { get; set; }

    /// <summary>Query.</summary>
    [JsonPropertyName("query")]
    public string? Query { get; set; }

    /// <summary>Operation over time.</summary>
    [JsonPropertyName("operationOverTime")]
    public string? OperationOverTime { get; set; }
}

/// <summary>Metric target.</summary>
public sealed record MetricTarget
{
    /// <summary>Utilization, Value or AverageValue.</summary>
    [JsonPropertyName("type")]
    [SchemaEnum("Utilization", "Value", "AverageValue")]
    public string? Type { get; set; }

    /// <summary>Value.</summary>
    [JsonPropertyName("value")]
    public ResourceQuantity? Value { get; set; }

    /// <summary>Average value.</summary>
    [JsonPropertyName("averageValue")]
    public ResourceQuantity? AverageValue { get; set; }

    /// <summary>Average utilization percentage.</summary>
    [JsonPropertyName("averageUtilization")]
    public int? AverageUtilization { get; set; }
}
