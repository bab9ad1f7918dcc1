using System.Text.Json.Serialization;

namespace ServeSharp.Storage.Sources.Gcs;

/// <summary>An object resource of the GCS JSON API (only the fields used here).</summary>
internal sealed class GcsObject
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("size")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Size { get; set; }

    [JsonPropertyName("md5Hash")]
    public string? Md5Hash { get; set; }

    [JsonPropertyName("generation")]
    public string? Generation { get; set; }
}

/// <summary>A page of <c>objects.list</c>.</summary>
internal sealed class GcsObjectList
{
    [JsonPropertyName("items")]
    public List<GcsObject>? Items { get; set; }

    [JsonPropertyName("nextPageToken")]
    public string? NextPageToken { get; set; }
}
