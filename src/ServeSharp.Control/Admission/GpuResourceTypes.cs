using System.Text.Json;
using k8s.Models;
using ServeSharp.Control.Api;

namespace ServeSharp.Control.Admission;

/// <summary><c>utils.HasUnknownGpuResourceType</c>: any non-basic resource that is not a known GPU type.</summary>
public static class GpuResourceTypes
{
    /// <summary>Built-in GPU resource names.</summary>
    public static IReadOnlyList<string> Known { get; } = ["nvidia.com/gpu", "amd.com/gpu", "intel.com/gpu", "habana.ai/gaudi"];

    private static readonly HashSet<string> Basic = ["cpu", "memory", "storage", "ephemeral-storage"];

    /// <summary>True when a resource name is neither basic nor a known/annotated GPU type.</summary>
    /// <exception cref="JsonException">The annotation is not a JSON string array.</exception>
    public static bool HasUnknown(V1ResourceRequirements? resources, IDictionary<string, string>? annotations)
    {
        if (resources is null)
        {
            return false;
        }
        var candidates = (resources.Limits?.Keys ?? []).Concat(resources.Requests?.Keys ?? []).Where(k => !Basic.Contains(k)).ToList();
        if (candidates.Count == 0)
        {
            return false;
        }
        var known = new HashSet<string>(Known);
        if (annotations is not null && annotations.TryGetValue(KServeConstants.GpuResourceTypesAnnotation, out var extra) && !string.IsNullOrEmpty(extra))
        {
            foreach (var name in JsonSerializer.Deserialize<string[]>(extra) ?? [])
            {
                known.Add(name);
            }
        }
        return candidates.Any(c => !known.Contains(c));
    }

    /// <summary>True when any known GPU resource is requested or limited.</summary>
    public static bool RequestsGpu(V1ResourceRequirements? resources) =>
        resources is not null &&
        (resources.Limits?.Keys ?? []).Concat(resources.Requests?.Keys ?? []).Any(k => Known.Contains(k));
}
