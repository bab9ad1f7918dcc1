using System.Text.Json.Nodes;

namespace ServeSharp.Control.Serialization;

/// <summary>Writes objects as kubectl's <c>-o yaml</c> / <c>-o json</c> do (a <c>List</c> for several objects in JSON).</summary>
public static class ResourceWriter
{
    /// <summary>Output formats.</summary>
    public enum Format
    {
        /// <summary>YAML, documents separated by <c>---</c>.</summary>
        Yaml,
        /// <summary>Indented JSON; several objects are wrapped in a <c>v1 List</c>.</summary>
        Json,
    }

    /// <summary>Writes the given objects.</summary>
    public static string Write(IReadOnlyList<object> objects, Format format)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var nodes = objects.Select(o => o as JsonNode ?? KubeJson.SerializeToNode(o)).ToList();
        if (format == Format.Yaml)
        {
            return JsonToYamlWriter.Write(nodes);
        }
        JsonNode root = nodes.Count == 1
            ? nodes[0]
            : new JsonObject
            {
                ["apiVersion"] = "v1",
                ["items"] = new JsonArray(nodes.Select(n => (JsonNode?)n.DeepClone()).ToArray()),
                ["kind"] = "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
            };
        return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
