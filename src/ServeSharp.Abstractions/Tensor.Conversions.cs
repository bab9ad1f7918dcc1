using System.Text;

namespace ServeSharp.Abstractions;

public sealed partial class Tensor
{
    /// <summary>
    /// The elements as doubles, converting from any numeric or BOOL datatype (BOOL → 0/1).
    /// Returns the stored array itself when it is already FP64 (do not mutate it).
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor holds BYTES.</exception>
    public double[] ToDoubleArray()
    {
        // Switch on the datatype, not the array type: the CLR lets ushort[] pass as short[] (and uint[]/int[],
        // ulong[]/long[], byte[]/sbyte[]), so a type pattern would read unsigned data as signed.
        return DataType switch
        {
            TensorDataType.FP64 => (double[])Data,
            TensorDataType.FP32 => Convert((float[])Data, static v => v),
            TensorDataType.FP16 => Convert((Half[])Data, static v => (double)v),
            TensorDataType.BF16 => Convert((ushort[])Data, static v => (double)BitConverter.Int32BitsToSingle(v << 16)),
            TensorDataType.Int64 => Convert((long[])Data, static v => v),
            TensorDataType.Int32 => Convert((int[])Data, static v => v),
            TensorDataType.Int16 => Convert((short[])Data, static v => v),
            TensorDataType.Int8 => Convert((sbyte[])Data, static v => v),
            TensorDataType.UInt64 => Convert((ulong[])Data, static v => v),
            TensorDataType.UInt32 => Convert((uint[])Data, static v => v),
            TensorDataType.UInt16 => Convert((ushort[])Data, static v => v),
            TensorDataType.UInt8 => Convert((byte[])Data, static v => v),
            TensorDataType.Bool => Convert((bool[])Data, static v => v ? 1.0 : 0.0),
            _ => throw new InvalidOperationException(
                $"Tensor '{Name}' of datatype {DataType.ToWireName()} cannot be read as numbers."),
        };
    }

    /// <summary>
    /// The elements as floats, converting from any numeric or BOOL datatype.
    /// Returns the stored array itself when it is already FP32 (do not mutate it).
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor holds BYTES.</exception>
    public float[] ToSingleArray()
    {
        if (DataType == TensorDataType.FP32)
        {
            return (float[])Data;
        }

        var doubles = ToDoubleArray();
        var result = new float[doubles.Length];
        for (var i = 0; i < doubles.Length; i++)
        {
            result[i] = (float)doubles[i];
        }

        return result;
    }

    /// <summary>The elements of a BYTES tensor decoded as UTF-8 strings.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not BYTES.</exception>
    public string[] ToStrings()
    {
        var bytes = GetData<byte[]>();
        var result = new string[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            result[i] = Encoding.UTF8.GetString(bytes[i]);
        }

        return result;
    }

    private static double[] Convert<T>(T[] source, Func<T, double> convert)
    {
        var result = new double[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            result[i] = convert(source[i]);
        }

        return result;
    }
}
