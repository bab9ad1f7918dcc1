using System.Runtime.InteropServices;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>The storage arrays of numeric tensors: a new one for a datatype, and the bytes of one.</summary>
internal static class TensorArrays
{
    /// <summary>A new zeroed array of <paramref name="count"/> elements for <paramref name="dataType"/>; null for BYTES.</summary>
    public static Array? Allocate(TensorDataType dataType, long count) => dataType switch
    {
        TensorDataType.Bool => new bool[count],
        TensorDataType.UInt8 => new byte[count],
        TensorDataType.UInt16 or TensorDataType.BF16 => new ushort[count],
        TensorDataType.UInt32 => new uint[count],
        TensorDataType.UInt64 => new ulong[count],
        TensorDataType.Int8 => new sbyte[count],
        TensorDataType.Int16 => new short[count],
        TensorDataType.Int32 => new int[count],
        TensorDataType.Int64 => new long[count],
        TensorDataType.FP16 => new Half[count],
        TensorDataType.FP32 => new float[count],
        TensorDataType.FP64 => new double[count],
        _ => null,
    };

    /// <summary>The bytes of a numeric tensor's elements (the <see cref="Tensor"/> guarantees the array's type).</summary>
    public static ReadOnlySpan<byte> Bytes(Tensor tensor)
    {
        if (tensor.DataType == TensorDataType.Bytes)
        {
            throw new ArgumentException("BYTES tensors hold arrays of strings, not numbers.", nameof(tensor));
        }

        return MemoryMarshal.CreateReadOnlySpan(
            ref MemoryMarshal.GetArrayDataReference(tensor.Data), checked((int)(tensor.ElementCount * tensor.DataType.ElementSize())));
    }

    /// <summary>The bytes of a numeric array made by <see cref="Allocate"/> for <paramref name="dataType"/>.</summary>
    public static Span<byte> Bytes(Array array, TensorDataType dataType) =>
        MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), checked(array.Length * dataType.ElementSize()));
}
