using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace ServeSharp.Control.Serialization;

/// <summary>
/// System.Text.Json with KubernetesClient's options (its converters for quantities, int-or-string and RFC 3339 times,
/// null fields omitted), so KServe objects and the embedded <c>k8s.Models</c> types serialize exactly as the client does.
/// </summary>
public static class KubeJson
{
    private static readonly JsonSerializerOptions Options = CaptureKubernetesOptions();

    private static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    private static JsonSerializerOptions CaptureKubernetesOptions()
    {
        JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(o => captured = o);
        var options = new JsonSerializerOptions(captured ?? throw new InvalidOperationException("KubernetesJson exposed no options"));
        options.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Type metadata (property names, kinds) used by the schema checker.</summary>
    public static JsonTypeInfo GetTypeInfo(Type type) => Options.GetTypeInfo(type);

    /// <summary>Serializes any object (by its runtime type) to a JSON tree.</summary>
    public static JsonNode SerializeToNode(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return JsonSerializer.SerializeToNode(value, value.GetType(), Options) ?? new JsonObject();
    }

    /// <summary>Serializes to indented JSON text.</summary>
    public static string Serialize(object value, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        return JsonSerializer.Serialize(value, value.GetType(), indented ? Indented : Options);
    }

    /// <summary>Deserializes a JSON tree (already schema-checked) into <typeparamref name="T"/>.</summary>
    public static T Deserialize<T>(JsonNode node) =>
        node.Deserialize<T>(Options) ?? throw new JsonException($"null {typeof(T).Name}");

    /// <summary>Deserializes a JSON tree into the given type.</summary>
    public static object Deserialize(JsonNode node, Type type) =>
        node.Deserialize(type, Options) ?? throw new JsonException($"null {type.Name}");

    /// <summary>Deep copy through JSON (KServe objects are plain data).</summary>
    public static T Clone<T>(T value) where T : class =>
        (T)Deserialize(SerializeToNode(value), value.GetType());
}
