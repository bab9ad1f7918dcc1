using System.Text.Json.Serialization;

namespace ServeSharp.Storage.Configuration;

/// <summary>Source-generated JSON metadata for a JSON list of path patterns (no reflection, so it works natively compiled).</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class PatternListJsonContext : JsonSerializerContext;
