using System.Text.Json.Nodes;

namespace ServeSharp.Local.Store;

/// <summary>Reads and writes the <c>metadata</c> fields of a JSON object the way Kubernetes lays them out.</summary>
public static class ObjectMeta
{
    /// <summary>The <c>metadata</c> object, created if missing.</summary>
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            return meta;
        }

        meta = new JsonObject();
        obj["metadata"] = meta;
        return meta;
    }

    /// <summary>A string field of <c>metadata</c>, or null when absent or not a string.</summary>
    public static string? GetString(JsonObject obj, string field) =>
        obj["metadata"] is JsonObject meta && meta[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary><c>metadata.name</c>.</summary>
    public static string? Name(JsonObject obj) => GetString(obj, "name");

    /// <summary><c>metadata.namespace</c>.</summary>
    public static string? Namespace(JsonObject obj) => GetString(obj, "namespace");

    /// <summary><c>metadata.resourceVersion</c> as a number, or null when absent or empty.</summary>
    public static long? ResourceVersion(JsonObject obj)
    {
        var s = GetString(obj, "resourceVersion");
        return string.IsNullOrEmpty(s) ? null
            : long.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rv) ? rv : -1;
    }

    /// <summary><c>metadata.generation</c>, 0 when absent.</summary>
    public static long Generation(JsonObject obj) =>
        obj["metadata"] is JsonObject meta && meta["generation"] is JsonValue v && v.TryGetValue<long>(out var g) ? g : 0;

    /// <summary>An annotation value, or null.</summary>
    public static string? Annotation(JsonObject obj, string key) =>
        obj["metadata"] is JsonObject meta && meta["annotations"] is JsonObject a && a[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
