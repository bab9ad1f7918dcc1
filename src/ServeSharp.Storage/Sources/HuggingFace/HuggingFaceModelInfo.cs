using System.Text.Json.Serialization;

namespace ServeSharp.Storage.Sources.HuggingFace;

/// <summary>The Hub's <c>GET /api/models/{repo}/revision/{rev}?blobs=true</c> response (fields used here).</summary>
internal sealed class HuggingFaceModelInfo
{
    [JsonPropertyName("sha")]
    public string? Sha { get; set; }

    [JsonPropertyName("siblings")]
    public List<HuggingFaceSibling>? Siblings { get; set; }
}

/// <summary>One file of a repository revision.</summary>
internal sealed class HuggingFaceSibling
{
    [JsonPropertyName("rfilename")]
    public string RFilename { get; set; } = string.Empty;

    [JsonPropertyName("size")]
    public long? Size { get; set; }

    [JsonPropertyName("lfs")]
    public HuggingFaceLfs? Lfs { get; set; }
}

/// <summary>LFS pointer data: the real size and SHA-256 of large files.</summary>
internal sealed class HuggingFaceLfs
{
    [JsonPropertyName("sha256")]
    public string? Sha256 { get; set; }

    [JsonPropertyName("size")]
    public long? Size { get; set; }
}

[JsonSerializable(typeof(HuggingFaceModelInfo))]
internal sealed partial class HuggingFaceJsonContext : JsonSerializerContext;
