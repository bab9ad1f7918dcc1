using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServeSharp.Server.Rest.CloudEvents;

/// <summary>Source-generated JSON metadata for CloudEvent attribute values (no reflection, so it works natively compiled).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class CloudEventJsonContext : JsonSerializerContext
{
    /// <summary>A JSON string element holding <paramref name="value"/>.</summary>
    public static JsonElement StringElement(string value) => JsonSerializer.SerializeToElement(value, Default.String);
}
