using k8s.Models;
using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Configuration;

namespace ServeSharp.Control.Admission;

/// <summary>
/// KServe's mutating webhook for InferenceService (<c>DefaultInferenceService</c>): deployment-mode annotation,
/// legacy framework key → <c>model</c> (§4), protocol defaults, the <c>modelFormat</c> annotation, custom-container names
/// and resources, ART image version, and <c>automountServiceAccountToken</c>. Mutates the object in place.
/// </summary>
public sealed class InferenceServiceDefaulter(InferenceServiceConfig config)
{
    /// <summary>The webhook name kubectl shows.</summary>
    public const string WebhookName = "inferenceservice.kserve-webhook-server.defaulter";

    private static readonly (string Key, string Format, bool V2)[] LegacyKeys =
    [
        ("sklearn", "sklearn", false), ("tensorflow", "tensorflow", false), ("xgboost", "xgboost", false),
        ("pytorch", "pytorch", false), ("triton", "triton", true), ("onnx", "onnx", true),
        ("huggingface", "huggingface", true), ("pmml", "pmml", false), ("lightgbm", "lightgbm", false),
        ("paddle", "paddle", false),
    ];

    /// <summary>Applies the defaults.</summary>
    public void Default(InferenceService isvc)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        var annotated = isvc.GetAnnotation(KServeConstants.DeploymentModeAnnotation);
        if (annotated is not null)
        {
            var normalized = DeploymentModes.Normalize(annotated);
            if (normalized is not null && normalized != annotated)
            {
                isvc.SetAnnotation(KServeConstants.DeploymentModeAnnotation, normalized);
                annotated = normalized;
            }
        }
        else
        {
            var configured = DeploymentModes.Normalize(config.Deploy.DefaultDeploymentMode);
            if (configured is DeploymentModes.ModelMesh or DeploymentModes.Standard)
            {
                isvc.SetAnnotation(KServeConstants.DeploymentModeAnnotation, configured);
            }
        }

        var components = new List<ComponentSpec>();
        if (isvc.Spec.Transformer is not null)
        {
            components.Add(isvc.Spec.Transformer);
        }
        if (isvc.Spec.Explainer is not null)
        {
            components.Add(isvc.Spec.Explainer);
        }
        // ⚠ KServe decides on the annotation as it was *before* the configured default was stamped.
        if (annotated is null || annotated != DeploymentModes.ModelMesh)
        {
            ConvertLegacyPredictor(isvc);
            components.Add(isvc.Spec.Predictor);
        }

        foreach (var component in components)
        {
            var implementations = ComponentImplementations.Of(component);
            if (implementations.Count == 1)
            {
                DefaultImplementation(component, implementations[0]);
            }
        }

        if (!config.Security.AutoMountServiceAccountToken)
        {
            isvc.Spec.Predictor.AutomountServiceAccountToken ??= false;
            if (isvc.Spec.Transformer is not null)
            {
                isvc.Spec.Transformer.AutomountServiceAccountToken ??= false;
            }
            if (isvc.Spec.Explainer is not null)
            {
                isvc.Spec.Explainer.AutomountServiceAccountToken ??= false;
            }
        }
    }

    /// <summary>
    /// §4: the first legacy key present (order sklearn, tensorflow, xgboost, pytorch, triton, onnx, huggingface, pmml,
    /// lightgbm, paddle) becomes <c>model</c> — replacing any <c>model</c> already there, as KServe does — and is removed.
    /// </summary>
    public static void ConvertLegacyPredictor(InferenceService isvc)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        var predictor = isvc.Spec.Predictor;
        var keys = predictor.FrameworkKeys().ToDictionary(k => k.Key, k => k.Spec);
        foreach (var (key, format, v2) in LegacyKeys)
        {
            if (keys[key] is not { } legacy)
            {
                continue;
            }
            if (v2 && legacy.ProtocolVersion is null)
            {
                legacy.ProtocolVersion = InferenceProtocolVersion.V2;
            }
            predictor.Model = ModelSpec.FromExtension(legacy, format);
            ClearLegacyKey(predictor, key);
            break;
        }

        if (predictor.Model is { } model)
        {
            var formatName = model.ModelFormat?.Name;
            if (model.ProtocolVersion is null && formatName is "triton" or "vLLM")
            {
                model.ProtocolVersion = InferenceProtocolVersion.V2;
            }
            if (!string.IsNullOrEmpty(formatName) && isvc.GetAnnotation(KServeConstants.ModelFormatAnnotation) is null)
            {
                isvc.SetAnnotation(KServeConstants.ModelFormatAnnotation, formatName);
            }
        }
    }

    private static void ClearLegacyKey(PredictorSpec predictor, string key)
    {
        switch (key)
        {
            case "sklearn": predictor.SKLearn = null; break;
            case "tensorflow": predictor.Tensorflow = null; break;
            case "xgboost": predictor.XGBoost = null; break;
            case "pytorch": predictor.PyTorch = null; break;
            case "triton": predictor.Triton = null; break;
            case "onnx": predictor.ONNX = null; break;
            case "huggingface": predictor.HuggingFace = null; break;
            case "pmml": predictor.PMML = null; break;
            case "lightgbm": predictor.LightGBM = null; break;
            case "paddle": predictor.Paddle = null; break;
        }
    }

    private void DefaultImplementation(ComponentSpec component, ComponentImplementation implementation)
    {
        switch (implementation.Key)
        {
            case "custom":
                var containers = component.Containers!;
                if (component is PredictorSpec)
                {
                    if (containers.Count == 1 || string.IsNullOrEmpty(containers[0].Name))
                    {
                        containers[0].Name = KServeConstants.InferenceServiceContainerName;
                    }
                    containers[0].Resources = WithResourceDefaults(containers[0].Resources);
                }
                else
                {
                    containers[0].Name = KServeConstants.InferenceServiceContainerName;
                    containers[0].Resources = WithResourceDefaults(containers[0].Resources);
                }
                break;
            case "art":
                var art = ((ExplainerSpec)component).Art!;
                art.Name = KServeConstants.InferenceServiceContainerName;
                art.RuntimeVersion ??= config.Explainers.Art.DefaultImageVersion;
                art.Resources = WithResourceDefaults(art.Resources);
                break;
            default:
                // ModelSpec.Default and the framework Default()s are no-ops: resources come from the runtime.
                break;
        }
    }

    /// <summary><c>setResourceRequirementDefaults</c>: fills cpu/memory requests and limits that are not set.</summary>
    public V1ResourceRequirements WithResourceDefaults(V1ResourceRequirements? requirements)
    {
        requirements ??= new V1ResourceRequirements();
        requirements.Requests ??= new Dictionary<string, ResourceQuantity>();
        requirements.Limits ??= new Dictionary<string, ResourceQuantity>();
        var defaults = config.InferenceService.Resource;
        Fill(requirements.Requests, "cpu", defaults.CpuRequest);
        Fill(requirements.Requests, "memory", defaults.MemoryRequest);
        Fill(requirements.Limits, "cpu", defaults.CpuLimit);
        Fill(requirements.Limits, "memory", defaults.MemoryLimit);
        return requirements;
    }

    private static void Fill(IDictionary<string, ResourceQuantity> list, string key, string value)
    {
        if (!string.IsNullOrEmpty(value) && !list.ContainsKey(key))
        {
            list[key] = new ResourceQuantity(value);
        }
    }
}
