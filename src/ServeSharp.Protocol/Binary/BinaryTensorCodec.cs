using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ServeSharp.Abstractions;

namespace ServeSharp.Protocol.Binary;

/// <summary>
/// The binary tensor layout shared by the REST binary extension and gRPC raw contents (protocol.md §3.4, §3.6):
/// flat row-major, little-endian, native element size, BOOL one byte, BYTES as <c>uint32 LE length + bytes</c>
/// per element, no padding.
/// </summary>
public static class BinaryTensorCodec
{
    static BinaryTensorCodec()
    {
        // The copies below reinterpret CLR arrays as bytes; that is only the wire layout on little-endian hosts.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ServeSharp's binary tensor codec needs a little-endian CPU.");
        }
    }

    /// <summary>Byte length of <paramref name="tensor"/> in binary form.</summary>
    public static long GetByteCount(Tensor tensor)
    {
        if (tensor.DataType != TensorDataType.Bytes)
        {
            return tensor.ElementCount * tensor.DataType.ElementSize();
        }

        long total = 0;
        foreach (var element in (byte[][])tensor.Data)
        {
            total += 4 + element.Length;
        }

        return total;
    }

    /// <summary>Writes <paramref name="tensor"/> into <paramref name="destination"/>, which must be exactly <see cref="GetByteCount"/> long.</summary>
    public static void Write(Tensor tensor, Span<byte> destination)
    {
        if (tensor.DataType == TensorDataType.Bytes)
        {
            var offset = 0;
            foreach (var element in (byte[][])tensor.Data)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination[offset..], (uint)element.Length);
                offset += 4;
                element.CopyTo(destination[offset..]);
                offset += element.Length;
            }

            return;
        }

        AsBytes(tensor).CopyTo(destination);
    }

    /// <summary>The tensor in binary form as a new array.</summary>
    public static byte[] ToArray(Tensor tensor)
    {
        var bytes = new byte[GetByteCount(tensor)];
        Write(tensor, bytes);
        return bytes;
    }

    /// <summary>
    /// Decodes binary data into a tensor, checking that the byte count matches the shape and datatype exactly.
    /// <paramref name="what"/> names the tensor in error messages (e.g. <c>input 'x'</c>).
    /// </summary>
    /// <exception cref="InferenceException">The byte count does not match, or BYTES elements are truncated.</exception>
    public static Tensor Read(
        string name, TensorDataType dataType, long[] shape, ReadOnlySpan<byte> source, InferParameters? parameters, string what)
    {
        var count = ElementCount(shape, what);
        if (dataType == TensorDataType.Bytes)
        {
            return new Tensor(name, dataType, shape, ReadBytesElements(source, count, what), parameters);
        }

        var size = dataType.ElementSize();
        var expected = count * size;
        if (source.Length != expected)
        {
            throw InferenceException.InvalidInput(
                $"{what} has shape [{string.Join(',', shape)}] and datatype {dataType.ToWireName()}, so its binary data " +
                $"must be {expected} bytes ({count} x {size}), but {source.Length} bytes were given.");
        }

        Array data = dataType switch
        {
            TensorDataType.Bool => ReadBools(source),
            TensorDataType.UInt8 => source.ToArray(),
            TensorDataType.UInt16 or TensorDataType.BF16 => MemoryMarshal.Cast<byte, ushort>(source).ToArray(),
            TensorDataType.UInt32 => MemoryMarshal.Cast<byte, uint>(source).ToArray(),
            TensorDataType.UInt64 => MemoryMarshal.Cast<byte, ulong>(source).ToArray(),
            TensorDataType.Int8 => MemoryMarshal.Cast<byte, sbyte>(source).ToArray(),
            TensorDataType.Int16 => MemoryMarshal.Cast<byte, short>(source).ToArray(),
            TensorDataType.Int32 => MemoryMarshal.Cast<byte, int>(source).ToArray(),
            TensorDataType.Int64 => MemoryMarshal.Cast<byte, long>(source).ToArray(),
            TensorDataType.FP16 => MemoryMarshal.Cast<byte, Half>(source).ToArray(),
            TensorDataType.FP32 => MemoryMarshal.Cast<byte, float>(source).ToArray(),
            TensorDataType.FP64 => MemoryMarshal.Cast<byte, double>(source).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(dataType)),
        };
        return new Tensor(name, dataType, shape, data, parameters);
    }

    /// <summary>Number of elements of <paramref name="shape"/>, as a 400 error when a dimension is negative or the product overflows.</summary>
    public static long ElementCount(long[] shape, string what)
    {
        var count = ElementCountUnbounded(shape, what);
        if (count > Array.MaxLength)
        {
            throw InferenceException.InvalidInput($"{what} has shape [{string.Join(',', shape)}], which is too large.");
        }

        return count;
    }

    /// <summary>
    /// Number of elements of <paramref name="shape"/>, as a 400 error when a dimension is negative or the product
    /// overflows a long; for callers whose buffer is bounded by the data actually received, not by this count.
    /// </summary>
    public static long ElementCountUnbounded(long[] shape, string what) =>
        TryElementCountUnbounded(shape, out var count) ? count : ThrowBadShape(shape, what);

    /// <summary>
    /// <see cref="ElementCountUnbounded"/> without the error: false when a dimension is negative or the product
    /// overflows, so callers build the error's wording only when there is one.
    /// </summary>
    public static bool TryElementCountUnbounded(long[] shape, out long count)
    {
        count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0 || (dim > 0 && count > long.MaxValue / dim))
            {
                return false;
            }

            count *= dim;
        }

        return true;
    }

    private static long ThrowBadShape(long[] shape, string what)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw InferenceException.InvalidInput(
                    $"{what} has shape [{string.Join(',', shape)}]; dimensions must not be negative.");
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                throw InferenceException.InvalidInput($"{what} has shape [{string.Join(',', shape)}], which is too large.");
            }
        }

        return count;
    }

    private static ReadOnlySpan<byte> AsBytes(Tensor tensor) => tensor.DataType switch
    {
        TensorDataType.Bool => MemoryMarshal.AsBytes(((bool[])tensor.Data).AsSpan()),
        TensorDataType.UInt8 => (byte[])tensor.Data,
        TensorDataType.UInt16 or TensorDataType.BF16 => MemoryMarshal.AsBytes(((ushort[])tensor.Data).AsSpan()),
        TensorDataType.UInt32 => MemoryMarshal.AsBytes(((uint[])tensor.Data).AsSpan()),
        TensorDataType.UInt64 => MemoryMarshal.AsBytes(((ulong[])tensor.Data).AsSpan()),
        TensorDataType.Int8 => MemoryMarshal.AsBytes(((sbyte[])tensor.Data).AsSpan()),
        TensorDataType.Int16 => MemoryMarshal.AsBytes(((short[])tensor.Data).AsSpan()),
        TensorDataType.Int32 => MemoryMarshal.AsBytes(((int[])tensor.Data).AsSpan()),
        TensorDataType.Int64 => MemoryMarshal.AsBytes(((long[])tensor.Data).AsSpan()),
        TensorDataType.FP16 => MemoryMarshal.AsBytes(((Half[])tensor.Data).AsSpan()),
        TensorDataType.FP32 => MemoryMarshal.AsBytes(((float[])tensor.Data).AsSpan()),
        TensorDataType.FP64 => MemoryMarshal.AsBytes(((double[])tensor.Data).AsSpan()),
        _ => throw new ArgumentOutOfRangeException(nameof(tensor)),
    };

    private static bool[] ReadBools(ReadOnlySpan<byte> source)
    {
        // Normalise: any non-zero byte is true, so the CLR never sees a bool whose byte is not 0 or 1.
        var result = new bool[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            result[i] = source[i] != 0;
        }

        return result;
    }

    private static byte[][] ReadBytesElements(ReadOnlySpan<byte> source, long count, string what)
    {
        // The count comes from the client's shape: every element takes at least its 4-byte length prefix, so a count
        // the data cannot hold allocates nothing and the loop below reports where the data runs out.
        var result = count == 0 ? [] : count <= source.Length / 4 ? new byte[count][] : null;
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            if (source.Length - offset < 4)
            {
                throw InferenceException.InvalidInput(
                    $"{what}: BYTES binary data ends inside the length prefix of element {i} of {count}.");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(source[offset..]);
            offset += 4;
            if (length > (uint)(source.Length - offset))
            {
                throw InferenceException.InvalidInput(
                    $"{what}: BYTES element {i} declares {length} bytes but only {source.Length - offset} remain.");
            }

            if (result is not null)
            {
                result[i] = source.Slice(offset, (int)length).ToArray();
            }

            offset += (int)length;
        }

        if (offset != source.Length)
        {
            throw InferenceException.InvalidInput(
                $"{what}: BYTES binary data holds {source.Length - offset} bytes after its {count} elements.");
        }

        return result!; // null only when count > source.Length / 4, where the loop has thrown
    }
}
