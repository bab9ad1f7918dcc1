using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>Copies an output <see cref="OrtValue"/> (owned by ONNX Runtime) into a managed <see cref="Tensor"/>.</summary>
internal static class OnnxOutputReader
{
    /// <summary>Reads a tensor output of the given datatype.</summary>
    public static Tensor Read(string name, TensorDataType dataType, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        var count = checked((int)info.ElementCount);
        Array data = dataType switch
        {
            TensorDataType.Bytes => ReadStrings(value, count),
            TensorDataType.Bool => Copy<bool>(value, count),
            TensorDataType.UInt8 => Copy<byte>(value, count),
            TensorDataType.UInt16 => Copy<ushort>(value, count),
            TensorDataType.UInt32 => Copy<uint>(value, count),
            TensorDataType.UInt64 => Copy<ulong>(value, count),
            TensorDataType.Int8 => Copy<sbyte>(value, count),
            TensorDataType.Int16 => Copy<short>(value, count),
            TensorDataType.Int32 => Copy<int>(value, count),
            TensorDataType.Int64 => Copy<long>(value, count),
            TensorDataType.FP16 => Copy<Half>(value, count),
            TensorDataType.FP32 => Copy<float>(value, count),
            TensorDataType.FP64 => Copy<double>(value, count),
            TensorDataType.BF16 => Copy<ushort>(value, count),
            _ => throw new ArgumentOutOfRangeException(nameof(dataType), dataType, "Unknown datatype."),
        };
        return new Tensor(name, dataType, shape, data);
    }

    private static T[] Copy<T>(OrtValue value, int count)
        where T : unmanaged
    {
        var result = new T[count];
        if (count > 0)
        {
            // Raw bytes: ORT's own Float16/BFloat16 structs have the same layout as Half and the bf16 bits.
            value.GetTensorMutableRawData().CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        }

        return result;
    }

    private static byte[][] ReadStrings(OrtValue value, int count)
    {
        var result = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            result[i] = value.GetStringElementAsSpan(i).ToArray();
        }

        return result;
    }
}
