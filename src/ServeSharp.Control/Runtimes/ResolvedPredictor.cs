using k8s.Models;
using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Runtimes;

/// <summary>
/// What a backend runs for a model-based predictor: the selected runtime, the effective protocol, the merged and rendered
/// <c>kserve-container</c>, the runtime's other containers, and the labels/annotations the runtime defaults added.
/// </summary>
public sealed record ResolvedPredictor
{
    /// <summary>The runtime.</summary>
    public required ServingRuntimeBase Runtime { get; init; }

    /// <summary>The predictor protocol after defaults ("" when the runtime lists none).</summary>
    public required string Protocol { get; init; }

    /// <summary>The model server container, ready to run.</summary>
    public required V1Container Container { get; init; }

    /// <summary>Other runtime containers (not rendered, as in KServe).</summary>
    public IReadOnlyList<V1Container> Sidecars { get; init; } = [];

    /// <summary>The InferenceService as the controller sees it after runtime defaults (in memory only).</summary>
    public required InferenceService Effective { get; init; }
}

/// <summary>
/// The reconcile-time part of the predictor path (§2.3): runtime defaults, container merge, template rendering, image tag.
/// </summary>
public static class PredictorResolver
{
    /// <summary>Resolves a predictor with a chosen runtime; failures use KServe's InvalidPredictorSpec messages.</summary>
    public static (ResolvedPredictor? Predictor, string? FailureReason, string? Message) Resolve(InferenceService isvc, ServingRuntimeBase runtime)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        ArgumentNullException.ThrowIfNull(runtime);
        var effective = Serialization.KubeJson.Clone(isvc);
        if (effective.Spec.Predictor.Model is null)
        {
            return (null, "InvalidPredictorSpec", "predictor has no model");
        }
        if (runtime.Spec.Containers is not { Count: > 0 })
        {
            return (null, "InvalidPredictorSpec", "no container configuration found in selected serving runtime");
        }
        var baseContainer = runtime.Spec.FindModelServerContainer();
        if (baseContainer is null)
        {
            return (null, "InvalidPredictorSpec", "failed to find kserve-container in ServingRuntime containers");
        }
        effective.Spec.Predictor.Model.Runtime ??= runtime.Name;
        RuntimeDefaults.Apply(effective, runtime);
        var model = effective.Spec.Predictor.Model;
        var merged = ContainerMerger.Merge(baseContainer, model);
        merged.Name = KServeConstants.InferenceServiceContainerName;
        V1Container rendered;
        try
        {
            rendered = TemplateRenderer.Render(merged, effective.Metadata);
        }
        catch (TemplateRenderException e)
        {
            return (null, "InvalidPredictorSpec", e.Message);
        }
        if (rendered.Image is not null)
        {
            rendered.Image = ImageTag.Adjust(rendered.Image, model.RuntimeVersion, RuntimeDefaults.ServerType(runtime), rendered.Resources);
        }
        rendered.Env ??= new List<V1EnvVar>();
        if (rendered.Env.All(e => e.Name != "INFERENCE_SERVICE_NAME"))
        {
            rendered.Env.Add(new V1EnvVar { Name = "INFERENCE_SERVICE_NAME", Value = isvc.Name });
        }
        return (new ResolvedPredictor
        {
            Runtime = runtime,
            Protocol = model.ProtocolVersion ?? "",
            Container = rendered,
            Sidecars = runtime.Spec.Containers.Where(c => c.Name != KServeConstants.InferenceServiceContainerName).ToList(),
            Effective = effective,
        }, null, null);
    }
}
