using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Reconciling;

/// <summary>How to run one component locally, or why it cannot be run.</summary>
/// <param name="Template">The process to run; null when <see cref="Error"/> is set. <c>$(MODEL_DIR)</c> expands to the fetched model.</param>
/// <param name="StorageUri">Model to fetch before starting, or null.</param>
/// <param name="Autoscaling">Scaling settings from the component.</param>
/// <param name="Reason">KServe failure reason when it cannot run (e.g. <c>NoSupportingRuntime</c>).</param>
/// <param name="Error">Message for the status condition when it cannot run.</param>
public sealed record ComponentLaunch(ProcessTemplate? Template, string? StorageUri, AutoscalerSpec Autoscaling, string? Reason = null, string? Error = null)
{
    /// <summary>Model name a model server serves (probed at <c>/v2/models/{name}/ready</c> to explain a replica that never gets ready), or null.</summary>
    public string? ModelName { get; init; }

    /// <summary>The ServingRuntime or ClusterServingRuntime that was chosen, or null.</summary>
    public RuntimeReference? Runtime { get; init; }
}

/// <summary>A runtime by kind and name, for <c>status.servingRuntimeName</c> / <c>clusterServingRuntimeName</c>.</summary>
/// <param name="Name">Runtime name.</param>
/// <param name="ClusterScoped">True for a ClusterServingRuntime.</param>
public sealed record RuntimeReference(string Name, bool ClusterScoped);
