namespace ServeSharp.Abstractions;

/// <summary>
/// A parameter map (request, tensor or response level). Keys are case-sensitive, as on the wire.
/// </summary>
public sealed class InferParameters : Dictionary<string, InferParameter>
{
    /// <summary>Well-known parameter names.</summary>
    public static class Names
    {
        /// <summary><c>content_type</c>: codec hint (<c>np</c>, <c>pd</c>, <c>str</c>, <c>base64</c>, ...).</summary>
        public const string ContentType = "content_type";

        /// <summary><c>binary_data_size</c>: byte length of a tensor's binary chunk.</summary>
        public const string BinaryDataSize = "binary_data_size";

        /// <summary><c>binary_data</c>: on a requested output, return it as binary.</summary>
        public const string BinaryData = "binary_data";

        /// <summary><c>binary_data_output</c>: on the request, return all outputs as binary.</summary>
        public const string BinaryDataOutput = "binary_data_output";
    }

    /// <summary>Creates an empty map.</summary>
    public InferParameters()
        : base(StringComparer.Ordinal)
    {
    }

    /// <summary>The string value of <paramref name="name"/>, or null when absent or not a string.</summary>
    public string? GetString(string name) =>
        TryGetValue(name, out var p) && p.Kind == InferParameterKind.String ? p.StringValue : null;

    /// <summary>The boolean value of <paramref name="name"/> (a bool or "true"/"false"), or null.</summary>
    public bool? GetBool(string name) => TryGetValue(name, out var p) && p.TryGetBool(out var b) ? b : null;

    /// <summary>The integer value of <paramref name="name"/>, or null.</summary>
    public long? GetInt64(string name) => TryGetValue(name, out var p) && p.TryGetInt64(out var l) ? l : null;
}
