using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Reconciling;

/// <summary>How to run one component locally, or why it cannot be run.</summary>
/// <param name="Template">The process to run; null when <see cref="Error"/> is set. <c>$(MODEL_DIR)</c> expands to the fetched model.</param>
/// <param name="StorageUri">Model to fetch before starting, or null.</param>
/// <param name="Autoscaling">Scaling settings from the component.</param>
/// <param name="Reason">KServe failure reason when it cannot run (e.g. <c>NoSupportingRuntime</c>).</param>
/// <param name="Error">Message for the status condition when it cannot run.</param>
public sealed record ComponentLaunch(ProcessTemplate? Template, string? StorageUri, AutoscalerSpec Autoscaling, string? Reason = null, string? Error = null);
