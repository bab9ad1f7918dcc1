using System.Buffers;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// Rents and returns the storage arrays of a datatype from <see cref="ArrayPool{T}.Shared"/>, so converted inputs
/// (e.g. V1's FP64 rows for an FP32 model) reuse buffers instead of allocating per request.
/// </summary>
internal static class PooledArrays
{
    /// <summary>Rents an array of at least <paramref name="length"/> elements of <typeparamref name="T"/>.</summary>
    private static T[] Rent<T>(int length) => ArrayPool<T>.Shared.Rent(length);

    /// <summary>Rents a storage array of at least <paramref name="length"/> elements for <paramref name="dataType"/>.</summary>
    public static Array Rent(TensorDataType dataType, int length) => dataType switch
    {
        TensorDataType.Bool => Rent<bool>(length),
        TensorDataType.UInt8 => Rent<byte>(length),
        TensorDataType.UInt16 or TensorDataType.BF16 => Rent<ushort>(length),
        TensorDataType.UInt32 => Rent<uint>(length),
        TensorDataType.UInt64 => Rent<ulong>(length),
        TensorDataType.Int8 => Rent<sbyte>(length),
        TensorDataType.Int16 => Rent<short>(length),
        TensorDataType.Int32 => Rent<int>(length),
        TensorDataType.Int64 => Rent<long>(length),
        TensorDataType.FP16 => Rent<Half>(length),
        TensorDataType.FP32 => Rent<float>(length),
        TensorDataType.FP64 => Rent<double>(length),
        _ => throw new ArgumentOutOfRangeException(nameof(dataType), dataType, "Not a numeric datatype."),
    };

    /// <summary>Returns an array rented for <paramref name="dataType"/>'s storage type.</summary>
    public static void Return(TensorDataType dataType, Array array)
    {
        // Switch on the datatype, not on the array type: ushort[] also passes as short[] in the CLR.
        switch (dataType)
        {
            case TensorDataType.Bool: ArrayPool<bool>.Shared.Return((bool[])array); break;
            case TensorDataType.UInt8: ArrayPool<byte>.Shared.Return((byte[])array); break;
            case TensorDataType.UInt16: ArrayPool<ushort>.Shared.Return((ushort[])array); break;
            case TensorDataType.UInt32: ArrayPool<uint>.Shared.Return((uint[])array); break;
            case TensorDataType.UInt64: ArrayPool<ulong>.Shared.Return((ulong[])array); break;
            case TensorDataType.Int8: ArrayPool<sbyte>.Shared.Return((sbyte[])array); break;
            case TensorDataType.Int16: ArrayPool<short>.Shared.Return((short[])array); break;
            case TensorDataType.Int32: ArrayPool<int>.Shared.Return((int[])array); break;
            case TensorDataType.Int64: ArrayPool<long>.Shared.Return((long[])array); break;
            case TensorDataType.FP16: ArrayPool<Half>.Shared.Return((Half[])array); break;
            case TensorDataType.FP32: ArrayPool<float>.Shared.Return((float[])array); break;
            case TensorDataType.FP64: ArrayPool<double>.Shared.Return((double[])array); break;
            case TensorDataType.BF16: ArrayPool<ushort>.Shared.Return((ushort[])array); break;
            default: break; // BYTES is never pooled.
        }
    }
}
