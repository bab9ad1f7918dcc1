namespace ServeSharp.Abstractions;

/// <summary>The kinds of value an <see cref="InferParameter"/> can hold (the gRPC <c>InferParameter</c> oneof, fields 1–5).</summary>
public enum InferParameterKind
{
    /// <summary><c>bool_param</c>.</summary>
    Bool,
    /// <summary><c>int64_param</c>.</summary>
    Int64,
    /// <summary><c>string_param</c>.</summary>
    String,
    /// <summary><c>double_param</c>.</summary>
    Double,
    /// <summary><c>uint64_param</c>.</summary>
    UInt64,
}
