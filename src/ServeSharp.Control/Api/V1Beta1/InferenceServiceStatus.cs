using System.Text.Json.Serialization;

namespace ServeSharp.Control.Api.V1Beta1;

/// <summary>InferenceService <c>status</c>.</summary>
public sealed record InferenceServiceStatus
{
    /// <summary>Observed generation.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>Knative-style conditions.</summary>
    [JsonPropertyName("conditions")]
    public IList<Condition>? Conditions { get; set; }

    /// <summary>Status annotations (Knative duck type).</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>External URL.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; set; }

    /// <summary>In-cluster address.</summary>
    [JsonPropertyName("address")]
    public Addressable? Address { get; set; }

    /// <summary>Per-component status keyed predictor/transformer/explainer.</summary>
    [JsonPropertyName("components")]
    public IDictionary<string, ComponentStatusSpec>? Components { get; set; }

    /// <summary>Model status.</summary>
    [JsonPropertyName("modelStatus")]
    public ModelStatus? ModelStatus { get; set; }

    /// <summary>Standard-mode canary statuses.</summary>
    [JsonPropertyName("canaryStatuses")]
    public IList<CanaryStatus>? CanaryStatuses { get; set; }

    /// <summary>Sticky deployment mode.</summary>
    [JsonPropertyName("deploymentMode")]
    public string? DeploymentMode { get; set; }

    /// <summary>Selected namespaced runtime.</summary>
    [JsonPropertyName("servingRuntimeName")]
    public string? ServingRuntimeName { get; set; }

    /// <summary>Selected cluster runtime.</summary>
    [JsonPropertyName("clusterServingRuntimeName")]
    public string? ClusterServingRuntimeName { get; set; }
}

/// <summary>Knative <c>apis.Condition</c>.</summary>
public sealed record Condition
{
    /// <summary>Type, e.g. Ready.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    /// <summary>True, False or Unknown.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    /// <summary>Error, Warning, Info or empty.</summary>
    [JsonPropertyName("severity")]
    public string? Severity { get; set; }

    /// <summary>Last transition time (RFC 3339).</summary>
    [JsonPropertyName("lastTransitionTime")]
    public DateTime? LastTransitionTime { get; set; }

    /// <summary>Reason.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    /// <summary>Message.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

/// <summary>Knative Addressable.</summary>
public sealed record Addressable
{
    /// <summary>URL.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; set; }
}

/// <summary>Per-component status.</summary>
public sealed record ComponentStatusSpec
{
    /// <summary>Latest ready revision.</summary>
    [JsonPropertyName("latestReadyRevision")]
    public string? LatestReadyRevision { get; set; }

    /// <summary>Latest created revision.</summary>
    [JsonPropertyName("latestCreatedRevision")]
    public string? LatestCreatedRevision { get; set; }

    /// <summary>Previous rolled-out revision.</summary>
    [JsonPropertyName("previousRolledoutRevision")]
    public string? PreviousRolledoutRevision { get; set; }

    /// <summary>Latest rolled-out revision.</summary>
    [JsonPropertyName("latestRolledoutRevision")]
    public string? LatestRolledoutRevision { get; set; }

    /// <summary>Traffic split.</summary>
    [JsonPropertyName("traffic")]
    public IList<TrafficTarget>? Traffic { get; set; }

    /// <summary>URL.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; set; }

    /// <summary>REST URL.</summary>
    [JsonPropertyName("restUrl")]
    public string? RestUrl { get; set; }

    /// <summary>gRPC URL.</summary>
    [JsonPropertyName("grpcUrl")]
    public string? GrpcUrl { get; set; }

    /// <summary>Address.</summary>
    [JsonPropertyName("address")]
    public Addressable? Address { get; set; }
}

/// <summary>Knative TrafficTarget.</summary>
public sealed record TrafficTarget
{
    /// <summary>Tag (latest, prev).</summary>
    [JsonPropertyName("tag")]
    public string? Tag { get; set; }

    /// <summary>Revision.</summary>
    [JsonPropertyName("revisionName")]
    public string? RevisionName { get; set; }

    /// <summary>Configuration.</summary>
    [JsonPropertyName("configurationName")]
    public string? ConfigurationName { get; set; }

    /// <summary>Follows the latest ready revision.</summary>
    [JsonPropertyName("latestRevision")]
    public bool? LatestRevision { get; set; }

    /// <summary>Percent.</summary>
    [JsonPropertyName("percent")]
    public long? Percent { get; set; }

    /// <summary>Tag URL.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; set; }
}

/// <summary>Model status.</summary>
public sealed record ModelStatus
{
    /// <summary>UpToDate, InProgress, BlockedByFailedLoad, InvalidSpec.</summary>
    [JsonPropertyName("transitionStatus")]
    public string? TransitionStatus { get; set; }

    /// <summary>Model states.</summary>
    [JsonPropertyName("states")]
    public ModelRevisionStates? States { get; set; }

    /// <summary>Last failure.</summary>
    [JsonPropertyName("lastFailureInfo")]
    public FailureInfo? LastFailureInfo { get; set; }

    /// <summary>Copies.</summary>
    [JsonPropertyName("copies")]
    public ModelCopies? Copies { get; set; }
}

/// <summary>Active/target model states.</summary>
public sealed record ModelRevisionStates
{
    /// <summary>Active state.</summary>
    [JsonPropertyName("activeModelState")]
    public string? ActiveModelState { get; set; }

    /// <summary>Target state.</summary>
    [JsonPropertyName("targetModelState")]
    public string? TargetModelState { get; set; }
}

/// <summary>Failure information.</summary>
public sealed record FailureInfo
{
    /// <summary>Location.</summary>
    [JsonPropertyName("location")]
    public string? Location { get; set; }

    /// <summary>Reason (ModelLoadFailed, NoSupportingRuntime, ...).</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    /// <summary>Message.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>Model revision.</summary>
    [JsonPropertyName("modelRevisionName")]
    public string? ModelRevisionName { get; set; }

    /// <summary>Time.</summary>
    [JsonPropertyName("time")]
    public DateTime? Time { get; set; }

    /// <summary>Exit code.</summary>
    [JsonPropertyName("exitCode")]
    public int? ExitCode { get; set; }
}

/// <summary>Copy counts.</summary>
public sealed record ModelCopies
{
    /// <summary>Failed copies.</summary>
    [JsonPropertyName("failedCopies")]
    public int? FailedCopies { get; set; }

    /// <summary>Total copies.</summary>
    [JsonPropertyName("totalCopies")]
    public int? TotalCopies { get; set; }
}

/// <summary>Standard-mode canary status.</summary>
public sealed record CanaryStatus
{
    /// <summary>Canary predictor name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>Ready.</summary>
    [JsonPropertyName("ready")]
    public bool? Ready { get; set; }

    /// <summary>Traffic percent.</summary>
    [JsonPropertyName("trafficPercent")]
    public int? TrafficPercent { get; set; }

    /// <summary>Model status.</summary>
    [JsonPropertyName("modelStatus")]
    public ModelStatus? ModelStatus { get; set; }
}
