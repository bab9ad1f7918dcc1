using System.Text.Json;
using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Alpha1;

namespace ServeSharp.Control.Admission;

/// <summary>
/// KServe's ServingRuntime / ClusterServingRuntime webhook (<c>servingruntime_webhook.go</c>): priority clashes with
/// same-kind peers, multi-node rules, blocked env vars. Skipped entirely for disabled runtimes.
/// </summary>
public static class ServingRuntimeValidator
{
    /// <summary>Webhook name for ServingRuntime.</summary>
    public const string WebhookName = "servingruntime.kserve-webhook-server.validator";

    /// <summary>Webhook name for ClusterServingRuntime.</summary>
    public const string ClusterWebhookName = "clusterservingruntime.kserve-webhook-server.validator";

    /// <summary>
    /// Validates <paramref name="runtime"/> against its existing same-kind peers (for a namespaced runtime: those of its
    /// namespace; including the stored version of itself on update).
    /// </summary>
    public static AdmissionVerdict Validate(ServingRuntimeBase runtime, IReadOnlyList<ServingRuntimeBase> existing)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(existing);
        var spec = runtime.Spec;
        if (spec.IsDisabled())
        {
            return AdmissionVerdict.Allowed;
        }
        if (BlockedEnvVars.Check(spec.Containers) is { } blocked)
        {
            return AdmissionVerdict.Deny(blocked);
        }
        ServingRuntimeSpec? stored = null;
        // ⚠ As in KServe, the per-runtime priority check runs inside the loop over peers: with no peers it never runs.
        foreach (var peer in existing)
        {
            if (SamePriorityWithin(spec) is { } inner)
            {
                return AdmissionVerdict.Deny(runtime.IsClusterScoped
                    ? $"{inner} under the clusterservingruntime {runtime.Name}"
                    : $"{inner} under the servingruntime {runtime.Name}");
            }
            if (ClashWith(spec, peer.Spec, runtime.Name, peer.Name) is { } clash)
            {
                return AdmissionVerdict.Deny(runtime.IsClusterScoped
                    ? $"{clash} in the clusterservingruntimes {peer.Name} and {runtime.Name}"
                    : $"{clash} in the servingruntimes {peer.Name} and {runtime.Name} in namespace {runtime.Namespace}");
            }
            if (peer.Name == runtime.Name)
            {
                stored = peer.Spec;
            }
        }
        if (MultiNode(spec, stored) is { } multiNode)
        {
            return AdmissionVerdict.Deny($"the {runtime.Kind} {runtime.Name} is invalid: {multiNode}");
        }
        return AdmissionVerdict.Allowed;
    }

    private static string? SamePriorityWithin(ServingRuntimeSpec spec)
    {
        var priorities = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var format in spec.SupportedModelFormats ?? [])
        {
            if (format.AutoSelect != true || format.Name is null)
            {
                continue;
            }
            if (priorities.TryGetValue(format.Name, out var existing))
            {
                if (existing is not null && format.Priority is not null && existing != format.Priority)
                {
                    return $"different priorities assigned for the model format {format.Name}";
                }
            }
            else
            {
                priorities[format.Name] = format.Priority;
            }
        }
        return null;
    }

    private static string? ClashWith(ServingRuntimeSpec spec, ServingRuntimeSpec peer, string name, string peerName)
    {
        if (spec.IsMultiModel() != peer.IsMultiModel() || peer.IsDisabled() || name == peerName)
        {
            return null;
        }
        // ⚠ Only when both list a common protocol: a runtime with no protocolVersions never clashes.
        var shared = (peer.ProtocolVersions ?? []).Any(p => spec.ProtocolVersions?.Contains(p) == true);
        if (!shared)
        {
            return null;
        }
        foreach (var a in peer.SupportedModelFormats ?? [])
        {
            foreach (var b in spec.SupportedModelFormats ?? [])
            {
                if (a.AutoSelect == true && b.AutoSelect == true &&
                    string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase) && a.Version == b.Version &&
                    a.Priority is not null && b.Priority is not null && a.Priority == b.Priority)
                {
                    return $"same priority assigned for the model format {b.Name}";
                }
            }
        }
        return null;
    }

    private static string? MultiNode(ServingRuntimeSpec spec, ServingRuntimeSpec? stored)
    {
        if (stored?.WorkerSpec is not null && spec.WorkerSpec is null)
        {
            return "removing workerSpec where it already exists is not allowed";
        }
        var worker = spec.WorkerSpec;
        if (worker is null)
        {
            return null;
        }
        if (worker.Containers is { Count: > 1 })
        {
            return "setting multiple containers in workerSpec is not allowed";
        }
        try
        {
            foreach (var container in spec.Containers ?? [])
            {
                if (container.Name != KServeConstants.InferenceServiceContainerName)
                {
                    continue;
                }
                if (container.Env?.Any(e => e.Name == KServeConstants.PipelineParallelSizeEnv) == true)
                {
                    return "setting PIPELINE_PARALLEL_SIZE in environment variables is not allowed";
                }
                if (container.Env?.Any(e => e.Name == KServeConstants.TensorParallelSizeEnv) == true)
                {
                    return "setting TENSOR_PARALLEL_SIZE in environment variables is not allowed";
                }
                if (GpuResourceTypes.HasUnknown(container.Resources, spec.Annotations))
                {
                    return $"unknown GPU resource type in a container({KServeConstants.InferenceServiceContainerName})";
                }
            }
            if (worker.Containers is { Count: > 0 } && worker.Containers[0].Name == "worker-container" &&
                GpuResourceTypes.HasUnknown(worker.Containers[0].Resources, spec.Annotations))
            {
                return "unknown GPU resource type in a container(worker-container)";
            }
        }
        catch (JsonException e)
        {
            return $"failed to parse {KServeConstants.GpuResourceTypesAnnotation} annotation: {e.Message}";
        }
        if ((worker.PipelineParallelSize ?? 1) < 1)
        {
            return $"the WorkerSpec.PipelineParallelSize cannot be less than 1({worker.PipelineParallelSize})";
        }
        if ((worker.TensorParallelSize ?? 1) < 1)
        {
            return $"the WorkerSpec.TensorParallelSize cannot be less than 1({worker.TensorParallelSize})";
        }
        return null;
    }
}
