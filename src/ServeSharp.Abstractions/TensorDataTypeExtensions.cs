using System.Diagnostics.CodeAnalysis;

namespace ServeSharp.Abstractions;

/// <summary>Wire names, element sizes and CLR storage types of <see cref="TensorDataType"/>.</summary>
public static class TensorDataTypeExtensions
{
    private static readonly string[] WireNames =
    [
        "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
        "FP16", "FP32", "FP64", "BYTES", "BF16",
    ];

    private static readonly int[] ElementSizes = [1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 0, 2];

    private static readonly Type[] ClrTypes =
    [
        typeof(bool), typeof(byte), typeof(ushort), typeof(uint), typeof(ulong), typeof(sbyte), typeof(short),
        typeof(int), typeof(long), typeof(Half), typeof(float), typeof(double), typeof(byte[]), typeof(ushort),
    ];

    /// <summary>The protocol name, e.g. <c>FP32</c>.</summary>
    public static string ToWireName(this TensorDataType dataType) => WireNames[(int)dataType];

    /// <summary>
    /// Parses a protocol datatype name. Like KServe, the name is upper-cased first, so <c>fp32</c> is accepted.
    /// </summary>
    public static bool TryParseWireName(string? name, out TensorDataType dataType)
    {
        dataType = default;
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        for (var i = 0; i < WireNames.Length; i++)
        {
            if (string.Equals(WireNames[i], name, StringComparison.OrdinalIgnoreCase))
            {
                dataType = (TensorDataType)i;
                return true;
            }
        }

        return false;
    }

    /// <summary>Bytes per element in binary/raw form; 0 for <see cref="TensorDataType.Bytes"/> (variable).</summary>
    public static int ElementSize(this TensorDataType dataType) => ElementSizes[(int)dataType];

    /// <summary>The element type of the CLR array that stores tensors of this datatype.</summary>
    public static Type ClrElementType(this TensorDataType dataType) => ClrTypes[(int)dataType];

    /// <summary>True for every datatype whose elements are numbers (integers and floating point, not BOOL or BYTES).</summary>
    public static bool IsNumeric(this TensorDataType dataType) =>
        dataType is not (TensorDataType.Bool or TensorDataType.Bytes);

    /// <summary>True for FP16, FP32, FP64 and BF16.</summary>
    public static bool IsFloatingPoint(this TensorDataType dataType) =>
        dataType is TensorDataType.FP16 or TensorDataType.FP32 or TensorDataType.FP64 or TensorDataType.BF16;

    /// <summary>The datatype that stores elements of <typeparamref name="T"/> (BF16 is never inferred).</summary>
    public static bool TryFromClrType<T>([NotNullWhen(true)] out TensorDataType? dataType)
    {
        for (var i = 0; i < ClrTypes.Length - 1; i++)
        {
            if (ClrTypes[i] == typeof(T))
            {
                dataType = (TensorDataType)i;
                return true;
            }
        }

        dataType = null;
        return false;
    }
}
