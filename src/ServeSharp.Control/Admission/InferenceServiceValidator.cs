using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Models;
using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Admission;

/// <summary>
/// KServe's validating webhook for InferenceService (<c>inference_service_validation.go</c>, <c>component.go</c>):
/// the same checks in the same order with the same messages; the first failure wins, as in KServe.
/// </summary>
public static partial class InferenceServiceValidator
{
    /// <summary>The webhook name kubectl shows.</summary>
    public const string WebhookName = "inferenceservice.kserve-webhook-server.validator";

    [GeneratedRegex("^" + KServeConstants.IsvcNameFormat + "$")]
    private static partial Regex IsvcName();

    [GeneratedRegex("^kbs:///[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+/[a-zA-Z0-9_.-]+$")]
    private static partial Regex KbsResourceId();

    private static readonly string[] AutoscalerClasses = ["hpa", "external", "keda", "none"];

    /// <summary>Validates a create.</summary>
    public static AdmissionVerdict ValidateCreate(InferenceService isvc) => Validate(isvc);

    /// <summary>Validates an update: the deployment mode may not change once recorded in status, and a changed predictor name needs a new storageUri.</summary>
    public static AdmissionVerdict ValidateUpdate(InferenceService isvc, InferenceService old)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        ArgumentNullException.ThrowIfNull(old);
        if (isvc.Metadata.DeletionTimestamp is null)
        {
            var recorded = old.Status?.DeploymentMode;
            if (!string.IsNullOrEmpty(recorded))
            {
                var statusMode = DeploymentModes.Parse(recorded);
                var annotated = isvc.GetAnnotation(KServeConstants.DeploymentModeAnnotation);
                if (annotated is not null && annotated != statusMode)
                {
                    return AdmissionVerdict.Deny($"update rejected: deploymentMode cannot be changed from '{statusMode}' to '{annotated}'");
                }
            }
            var oldName = old.Spec.Predictor.Name ?? "";
            var newName = isvc.Spec.Predictor.Name ?? "";
            if (oldName != newName && StorageUriOf(isvc.Spec.Predictor) == StorageUriOf(old.Spec.Predictor))
            {
                return AdmissionVerdict.Deny(
                    $"update rejected: predictor name cannot be changed from '{oldName}' to '{newName}' without changing the predictor storageUri");
            }
        }
        return Validate(isvc);
    }

    private static AdmissionVerdict Validate(InferenceService isvc)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        var warnings = new List<string>();
        var error = ValidateName(isvc)
            ?? ValidateAutoscalerClass(isvc)
            ?? ValidateBlockedEnvVars(isvc)
            ?? ValidateMultiNode(isvc)
            ?? ValidateCollocationStorageUri(isvc.Spec.Predictor)
            ?? ValidatePredictorNameField(isvc.Spec.Predictor)
            ?? StorageUrisValidator.Validate(isvc)
            ?? ValidateConfidential(isvc, warnings)
            ?? ValidateComponents(isvc)
            ?? CanaryValidator.Validate(isvc);
        return new AdmissionVerdict(error, warnings);
    }

    private static string? ValidateName(InferenceService isvc) =>
        IsvcName().IsMatch(isvc.Name) ? null :
        $"the InferenceService \"{isvc.Name}\" is invalid: a InferenceService name must consist of lower case alphanumeric characters or '-', " +
        $"and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '{KServeConstants.IsvcNameFormat}')";

    private static string? ValidateAutoscalerClass(InferenceService isvc)
    {
        var value = isvc.GetAnnotation(KServeConstants.AutoscalerClassAnnotation);
        return value is null || AutoscalerClasses.Contains(value) ? null : $"[{value}] is not a supported autoscaler class type";
    }

    private static string? ValidateBlockedEnvVars(InferenceService isvc)
    {
        var spec = isvc.Spec;
        var groups = new List<IEnumerable<V1Container>?>
        {
            spec.Predictor.Containers,
            spec.Predictor.InitContainers,
            ComponentImplementations.FrameworkContainer(spec.Predictor) is { } framework ? [framework] : null,
            spec.Predictor.WorkerSpec?.Containers,
            spec.Predictor.WorkerSpec?.InitContainers,
            spec.Transformer?.Containers,
            spec.Transformer?.InitContainers,
            spec.Explainer?.Containers,
            spec.Explainer?.InitContainers,
            spec.Explainer?.Art is { } art ? [art] : null,
        };
        foreach (var group in groups)
        {
            if (BlockedEnvVars.Check(group) is { } error)
            {
                return $"the InferenceService \"{isvc.Name}\" is invalid: {error}";
            }
        }
        return null;
    }

    private static string? ValidateMultiNode(InferenceService isvc)
    {
        var worker = isvc.Spec.Predictor.WorkerSpec;
        if (worker is null)
        {
            return null;
        }
        var prefix = $"the InferenceService \"{isvc.Name}\" is invalid: ";
        if (worker.Containers is { Count: > 1 })
        {
            return prefix + "setting multiple containers in workerSpec is not allowed";
        }
        try
        {
            if (isvc.Spec.Predictor.Model is { } model)
            {
                if (HasEnv(model.Env, KServeConstants.PipelineParallelSizeEnv))
                {
                    return prefix + "setting PIPELINE_PARALLEL_SIZE in environment variables is not allowed";
                }
                if (HasEnv(model.Env, KServeConstants.TensorParallelSizeEnv))
                {
                    return prefix + "setting TENSOR_PARALLEL_SIZE in environment variables is not allowed";
                }
                if (GpuResourceTypes.HasUnknown(model.Resources, isvc.Metadata.Annotations))
                {
                    return prefix + "Unknown GPU resource type. Set 'serving.kserve.io/gpu-resource-types' annotation to use custom gpu resource type";
                }
                if (model.StorageUri is null)
                {
                    return prefix + "StorageURI must be set for multinode enabled";
                }
                var scheme = model.StorageUri.Split("://")[0];
                if (scheme is not ("pvc" or "oci"))
                {
                    return prefix + $"Multinode only supports 'pvc' and 'oci' Storage Protocol({scheme})";
                }
                var autoscaler = isvc.GetAnnotation(KServeConstants.AutoscalerClassAnnotation);
                if (autoscaler != "none")
                {
                    return prefix + $"Multinode only supports 'none' autoscaler({autoscaler})";
                }
            }
            if (worker.PipelineParallelSize is < 1)
            {
                return prefix + $"WorkerSpec.PipelineParallelSize cannot be less than 1({worker.PipelineParallelSize})";
            }
            if (worker.TensorParallelSize is < 1)
            {
                return prefix + $"WorkerSpec.TensorParallelSize cannot be less than 1({worker.TensorParallelSize})";
            }
            foreach (var container in worker.Containers ?? [])
            {
                if (GpuResourceTypes.HasUnknown(container.Resources, isvc.Metadata.Annotations))
                {
                    return prefix + "Unknown GPU resource type. Set 'serving.kserve.io/gpu-resource-types' annotation to use custom gpu resource type";
                }
            }
        }
        catch (JsonException e)
        {
            return $"failed to parse {KServeConstants.GpuResourceTypesAnnotation} annotation: {e.Message}";
        }
        return null;
    }

    private static string? ValidateCollocationStorageUri(PredictorSpec predictor)
    {
        var transformer = predictor.Containers?.FirstOrDefault(c => c.Name == KServeConstants.TransformerContainerName);
        return transformer is not null && HasEnv(transformer.Env, KServeConstants.StorageUriEnvVar)
            ? "storage uri should not be specified in transformer container"
            : null;
    }

    private static string? ValidatePredictorNameField(PredictorSpec predictor)
    {
        // KServe's switch: the first non-nil key decides; model is checked last.
        foreach (var (_, spec) in predictor.FrameworkKeys())
        {
            if (spec is not null)
            {
                return string.IsNullOrEmpty(spec.Name) ? null : "the 'name' field is not allowed in standard predictor";
            }
        }
        return predictor.Model is { Name.Length: > 0 } ? "the 'name' field is not allowed in standard predictor" : null;
    }

    private static string? ValidateConfidential(InferenceService isvc, List<string> warnings)
    {
        var predictor = isvc.Spec.Predictor;
        var confidential = predictor.FrameworkKeys().Select(k => k.Spec).FirstOrDefault(s => s is not null)?.Confidential
            ?? predictor.Model?.Confidential;
        if (confidential is not { Enabled: true })
        {
            return null;
        }
        var implementations = ComponentImplementations.Of(predictor);
        var storageUri = implementations.Count == 0 ? null : StorageUriOf(predictor);
        if (string.IsNullOrEmpty(storageUri))
        {
            return "confidential model serving requires storageUri to be set";
        }
        if (storageUri.StartsWith("oci://", StringComparison.Ordinal))
        {
            warnings.Add("confidential has no effect with OCI URIs; OCI image decryption is handled by the container runtime via runtimeClassName");
        }
        if (!string.IsNullOrEmpty(confidential.ResourceId) && !KbsResourceId().IsMatch(confidential.ResourceId))
        {
            return $"invalid confidential resourceId format \"{confidential.ResourceId}\", expected kbs:///<repo>/<type>/<tag>";
        }
        return null;
    }

    private static string? ValidateComponents(InferenceService isvc)
    {
        var annotations = isvc.Metadata.Annotations;
        foreach (var component in new ComponentSpec?[] { isvc.Spec.Predictor, isvc.Spec.Transformer, isvc.Spec.Explainer })
        {
            if (component is null)
            {
                continue;
            }
            var implementations = ComponentImplementations.Of(component);
            if (implementations.Count != 1)
            {
                return ComponentImplementations.ExactlyOneError(component);
            }
            var error = ValidateImplementation(component, implementations[0])
                ?? ValidateExtensions(component)
                ?? AutoscalingValidator.Validate(annotations, component);
            if (error is not null)
            {
                return error;
            }
        }
        return null;
    }

    private static string? ValidateImplementation(ComponentSpec component, ComponentImplementation implementation)
    {
        if (!implementation.IsCustom || component is not PredictorSpec)
        {
            return null;
        }
        var protocol = component.Containers![0].Env?.FirstOrDefault(e => e.Name == "PROTOCOL");
        if (protocol is null || protocol.Value is InferenceProtocolVersion.V1 or InferenceProtocolVersion.V2)
        {
            return null;
        }
        // ⚠ KServe passes the arguments of InvalidProtocol in swapped order; the message reproduces that.
        return $"invalid protocol v1, v2. Must be one of [{protocol.Value}]";
    }

    private static string? ValidateExtensions(ComponentSpec component)
    {
        if (component.ContainerConcurrency is < 0)
        {
            return "parallelism cannot be less than 0";
        }
        var min = component.MinReplicas ?? KServeConstants.DefaultMinReplicas;
        var max = component.MaxReplicas ?? 0;
        if (min < 0)
        {
            return "'MinReplicas' cannot be less than 0";
        }
        if (max < 0)
        {
            return "'MaxReplicas' cannot be less than 0";
        }
        if (min > max && max != 0)
        {
            return "'MinReplicas' cannot be greater than MaxReplicas";
        }
        if (component.Logger is { } logger && logger.Mode is not ("all" or "request" or "response"))
        {
            return "invalid logger type";
        }
        if (component.Logger?.Storage is { } storage && (storage.Path is null || storage.Parameters is null || storage.Key is null))
        {
            return "logger storage requires path, parameters and key";
        }
        return null;
    }

    /// <summary>The predictor's storage URI: from its first implementation, or a custom container's STORAGE_URI env.</summary>
    public static string? StorageUriOf(PredictorSpec predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        var implementations = ComponentImplementations.Of(predictor);
        if (implementations.Count == 0)
        {
            return null;
        }
        var first = implementations[0];
        if (!first.IsCustom)
        {
            return first.Extension?.StorageUri;
        }
        var container = predictor.Containers?.FirstOrDefault(c => c.Name == KServeConstants.InferenceServiceContainerName);
        return container?.Env?.FirstOrDefault(e => e.Name == KServeConstants.StorageUriEnvVar)?.Value;
    }

    private static bool HasEnv(IList<V1EnvVar>? env, string name) => env?.Any(e => e.Name == name) == true;
}
