using System.Text.Encodings.Web;
using System.Text.Json;

namespace ServeSharp.Protocol.Json;

/// <summary>Writer options shared by every encoder: compact output, no HTML escaping (like orjson).</summary>
internal static class JsonWriterSettings
{
    public static readonly JsonWriterOptions Options = new()
    {
        Indented = false,
        SkipValidation = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };
}
