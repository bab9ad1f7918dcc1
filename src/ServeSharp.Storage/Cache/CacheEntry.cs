using System.Text.Json.Serialization;

namespace ServeSharp.Storage.Cache;

/// <summary>
/// The record written next to a cached model (<c>&lt;key&gt;.json</c>) once the model folder is complete; a folder
/// without its record is an unfinished download and is never served.
/// </summary>
internal sealed class CacheEntry
{
    [JsonPropertyName("uri")]
    public string Uri { get; set; } = string.Empty;

    [JsonPropertyName("bytes")]
    public long Bytes { get; set; }

    [JsonPropertyName("files")]
    public int Files { get; set; }

    [JsonPropertyName("createdUtc")]
    public DateTimeOffset CreatedUtc { get; set; }

    [JsonPropertyName("lastAccessUtc")]
    public DateTimeOffset LastAccessUtc { get; set; }
}

[JsonSerializable(typeof(CacheEntry))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class CacheJsonContext : JsonSerializerContext;
