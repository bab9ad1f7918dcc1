namespace ServeSharp.Abstractions;

/// <summary>
/// The element types of the Open Inference Protocol (V2). Wire names are given by
/// <see cref="TensorDataTypeExtensions.ToWireName"/>; the CLR array type that holds each
/// kind of element is given by <see cref="TensorDataTypeExtensions.ClrElementType"/>.
/// </summary>
public enum TensorDataType
{
    /// <summary><c>BOOL</c>, stored as <see cref="bool"/>[].</summary>
    Bool,
    /// <summary><c>UINT8</c>, stored as <see cref="byte"/>[].</summary>
    UInt8,
    /// <summary><c>UINT16</c>, stored as <see cref="ushort"/>[].</summary>
    UInt16,
    /// <summary><c>UINT32</c>, stored as <see cref="uint"/>[].</summary>
    UInt32,
    /// <summary><c>UINT64</c>, stored as <see cref="ulong"/>[].</summary>
    UInt64,
    /// <summary><c>INT8</c>, stored as <see cref="sbyte"/>[].</summary>
    Int8,
    /// <summary><c>INT16</c>, stored as <see cref="short"/>[].</summary>
    Int16,
    /// <summary><c>INT32</c>, stored as <see cref="int"/>[].</summary>
    Int32,
    /// <summary><c>INT64</c>, stored as <see cref="long"/>[].</summary>
    Int64,
    /// <summary><c>FP16</c>, stored as <see cref="Half"/>[]. Binary/raw transport only.</summary>
    FP16,
    /// <summary><c>FP32</c>, stored as <see cref="float"/>[].</summary>
    FP32,
    /// <summary><c>FP64</c>, stored as <see cref="double"/>[].</summary>
    FP64,
    /// <summary><c>BYTES</c>, stored as <see cref="byte"/>[][] (one byte array per element; UTF-8 for strings).</summary>
    Bytes,
    /// <summary><c>BF16</c>, stored as <see cref="ushort"/>[] holding the raw bfloat16 bits. Binary/raw transport only.</summary>
    BF16,
}
