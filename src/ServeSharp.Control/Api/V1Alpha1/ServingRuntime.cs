using System.Text.Json.Serialization;

namespace ServeSharp.Control.Api.V1Alpha1;

/// <summary>A namespaced or cluster-scoped serving runtime; both kinds share <see cref="ServingRuntimeSpec"/>.</summary>
public abstract record ServingRuntimeBase : KServeResource
{
    /// <summary>Runtime spec.</summary>
    [JsonPropertyName("spec")]
    [SchemaRequired]
    public ServingRuntimeSpec Spec { get; set; } = new();

    /// <summary>True for <see cref="ClusterServingRuntime"/>.</summary>
    [JsonIgnore]
    public abstract bool IsClusterScoped { get; }
}

/// <summary><c>serving.kserve.io/v1alpha1</c> ServingRuntime (namespaced).</summary>
public sealed record ServingRuntime : ServingRuntimeBase
{
    /// <summary>Creates an empty runtime with apiVersion and kind set.</summary>
    public ServingRuntime()
    {
        ApiVersion = KServeGroup.V1Alpha1;
        Kind = KServeGroup.ServingRuntimeKind;
    }

    /// <inheritdoc />
    public override bool IsClusterScoped => false;
}

/// <summary><c>serving.kserve.io/v1alpha1</c> ClusterServingRuntime (cluster-scoped).</summary>
public sealed record ClusterServingRuntime : ServingRuntimeBase
{
    /// <summary>Creates an empty runtime with apiVersion and kind set.</summary>
    public ClusterServingRuntime()
    {
        ApiVersion = KServeGroup.V1Alpha1;
        Kind = KServeGroup.ClusterServingRuntimeKind;
    }

    /// <inheritdoc />
    public override bool IsClusterScoped => true;
}
