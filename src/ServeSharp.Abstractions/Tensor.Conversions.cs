using System.Numerics;
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
            TensorDataType.FP32 => Widen((float[])Data),
            TensorDataType.FP16 => Widen((Half[])Data),
            TensorDataType.BF16 => Convert((ushort[])Data, static v => (double)BitConverter.Int32BitsToSingle(v << 16)),
            TensorDataType.Int64 => Widen((long[])Data),
            TensorDataType.Int32 => Widen((int[])Data),
            TensorDataType.Int16 => Widen((short[])Data),
            TensorDataType.Int8 => Widen((sbyte[])Data),
            TensorDataType.UInt64 => Widen((ulong[])Data),
            TensorDataType.UInt32 => Widen((uint[])Data),
            TensorDataType.UInt16 => Widen((ushort[])Data),
            TensorDataType.UInt8 => Widen((byte[])Data),
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

    /// <summary>Each number as the nearest double (what a C# cast gives), in a loop specialised per element type.</summary>
    private static double[] Widen<T>(T[] source)
        where T : INumberBase<T>
    {
        var result = new double[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            result[i] = double.CreateTruncating(source[i]);
        }

        return result;
    }

    /// <summary>The datatypes that are not plain numbers (BF16 bits, BOOL).</summary>
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
