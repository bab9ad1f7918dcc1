using System.Text.Json.Nodes;
using k8s.Models;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Runtimes;

/// <summary>
/// <c>pkg/utils/container_merge.go</c>: strategic merge of the user's container overrides onto the runtime's container.
/// Scalars and objects from the override win, <c>args</c> are concatenated (runtime first), <c>env</c> merges by name
/// (the override's entry replaces the runtime's, so <c>value</c> beats <c>valueFrom</c> and vice versa), ports merge by
/// containerPort, volume mounts by mountPath, resources key by key.
/// </summary>
public static class ContainerMerger
{
    private static readonly Dictionary<string, string> ListKeys = new(StringComparer.Ordinal)
    {
        ["env"] = "name",
        ["ports"] = "containerPort",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["envFrom"] = "",
    };

    /// <summary>Returns a new container: <paramref name="overlay"/> merged onto <paramref name="baseContainer"/>.</summary>
    public static V1Container Merge(V1Container baseContainer, V1Container? overlay)
    {
        ArgumentNullException.ThrowIfNull(baseContainer);
        var merged = KubeJson.SerializeToNode(baseContainer).AsObject();
        if (overlay is null)
        {
            return KubeJson.Deserialize<V1Container>(merged);
        }
        // Only the V1Container fields of the overlay take part (not storageUri, protocolVersion, ...).
        var over = KubeJson.SerializeToNode(KubeJson.Deserialize<V1Container>(KubeJson.SerializeToNode(overlay))).AsObject();
        foreach (var (key, value) in over)
        {
            if (value is null)
            {
                continue;
            }
            if (key == "args" && merged["args"] is JsonArray baseArgs && value is JsonArray extraArgs)
            {
                foreach (var arg in extraArgs)
                {
                    baseArgs.Add(arg?.DeepClone());
                }
                continue;
            }
            if (key == "resources" && merged["resources"] is JsonObject baseResources && value is JsonObject overResources)
            {
                MergeObjects(baseResources, overResources);
                continue;
            }
            if (ListKeys.TryGetValue(key, out var mergeKey) && mergeKey.Length > 0 && merged[key] is JsonArray baseList && value is JsonArray overList)
            {
                MergeList(baseList, overList, mergeKey);
                continue;
            }
            if (key == "name" && value.GetValue<string>().Length == 0)
            {
                continue;
            }
            merged[key] = value.DeepClone();
        }
        return KubeJson.Deserialize<V1Container>(merged);
    }

    private static void MergeObjects(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                MergeObjects(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static void MergeList(JsonArray target, JsonArray source, string mergeKey)
    {
        foreach (var item in source)
        {
            var key = item?[mergeKey]?.ToJsonString();
            var index = -1;
            for (var i = 0; i < target.Count; i++)
            {
                if (key is not null && target[i]?[mergeKey]?.ToJsonString() == key)
                {
                    index = i;
                    break;
                }
            }
            if (index >= 0)
            {
                target[index] = item!.DeepClone();
            }
            else
            {
                target.Add(item?.DeepClone());
            }
        }
    }
}
