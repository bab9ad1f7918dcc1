using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using ServeSharp.Runtimes.Sklearn.Pickle;

namespace ServeSharp.Runtimes.Sklearn.Numpy;

/// <summary>
/// A numpy array read from a pickle, always stored in C (row-major) order. <see cref="Data"/> is typed by the dtype:
/// f8 → double[], f4 → float[], i8 → long[], i4 → int[], i2 → short[], i1 → sbyte[], u8 → ulong[], u4 → uint[],
/// u2 → ushort[], u1 → byte[], b1 → bool[], O → object?[], U → string[], S → byte[][], structured (V) → byte[] raw.
/// </summary>
public sealed class NdArray
{
    /// <summary>Creates an array; <paramref name="data"/> must already be in C order.</summary>
    public NdArray(NumpyDType dtype, long[] shape, Array data)
    {
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>An empty placeholder filled by a later BUILD (<c>_reconstruct</c> protocol).</summary>
    internal NdArray()
        : this(NumpyDType.FromSpec("f8"), [0], Array.Empty<double>())
    {
    }

    /// <summary>The dtype.</summary>
    public NumpyDType DType { get; private set; }

    /// <summary>The shape.</summary>
    public long[] Shape { get; private set; }

    /// <summary>The elements in C order (raw record bytes for structured dtypes).</summary>
    public Array Data { get; private set; }

    /// <summary>The number of elements.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>Replaces the content (used by the <c>_reconstruct</c> BUILD step).</summary>
    internal void Set(NumpyDType dtype, long[] shape, Array data)
    {
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>The element count of a shape, checking for negative dimensions and overflow.</summary>
    public static long ElementCount(long[] shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new PickleException($"numpy array shape ({string.Join(", ", shape)}) has a negative dimension");
            }

            n = checked(n * d);
        }

        return n;
    }

    /// <summary>Decodes raw element bytes (C or Fortran order) into a C-ordered typed array.</summary>
    public static NdArray FromBytes(NumpyDType dtype, long[] shape, ReadOnlySpan<byte> raw, bool fortran)
    {
        var count = ElementCount(shape);
        if (dtype.HasObject)
        {
            throw new PickleException("object arrays cannot be read from raw bytes");
        }

        var expected = checked(count * dtype.ItemSize);
        if (raw.Length != expected)
        {
            throw new PickleException($"numpy array of {count} x {dtype} needs {expected} bytes but the pickle holds {raw.Length}");
        }

        var data = Decode(dtype, raw, (int)count);
        if (fortran && shape.Length > 1)
        {
            data = FortranToC(data, shape, dtype.Fields.Count > 0 ? dtype.ItemSize : 1);
        }

        return new NdArray(dtype, shape, data);
    }

    /// <summary>Builds an object array from a list of items (Fortran-ordered lists are reordered).</summary>
    public static NdArray FromObjects(NumpyDType dtype, long[] shape, IReadOnlyList<object?> items, bool fortran)
    {
        var count = ElementCount(shape);
        if (items.Count != count)
        {
            throw new PickleException($"numpy object array of shape ({string.Join(", ", shape)}) holds {items.Count} items");
        }

        Array data = items.ToArray();
        if (fortran && shape.Length > 1)
        {
            data = FortranToC(data, shape, 1);
        }

        return new NdArray(dtype, shape, data);
    }

    private static Array Decode(NumpyDType dt, ReadOnlySpan<byte> raw, int count)
    {
        if (dt.Fields.Count > 0 || dt.Kind == 'V')
        {
            return raw.ToArray();
        }

        var swap = dt.IsBigEndian && dt.ItemSize > 1;
        switch (dt.Kind, dt.ItemSize)
        {
            case ('f', 8): return Cast<double>(raw, swap, static (s) => BinaryPrimitives.ReadDoubleBigEndian(s));
            case ('f', 4): return Cast<float>(raw, swap, static (s) => BinaryPrimitives.ReadSingleBigEndian(s));
            case ('f', 2): return Cast<Half>(raw, swap, static (s) => BinaryPrimitives.ReadHalfBigEndian(s));
            case ('i', 8) or ('M', 8) or ('m', 8): return Cast<long>(raw, swap, static (s) => BinaryPrimitives.ReadInt64BigEndian(s));
            case ('i', 4): return Cast<int>(raw, swap, static (s) => BinaryPrimitives.ReadInt32BigEndian(s));
            case ('i', 2): return Cast<short>(raw, swap, static (s) => BinaryPrimitives.ReadInt16BigEndian(s));
            case ('i', 1): return MemoryMarshal.Cast<byte, sbyte>(raw).ToArray();
            case ('u', 8): return Cast<ulong>(raw, swap, static (s) => BinaryPrimitives.ReadUInt64BigEndian(s));
            case ('u', 4): return Cast<uint>(raw, swap, static (s) => BinaryPrimitives.ReadUInt32BigEndian(s));
            case ('u', 2): return Cast<ushort>(raw, swap, static (s) => BinaryPrimitives.ReadUInt16BigEndian(s));
            case ('u', 1): return raw.ToArray();
            case ('b', 1):
                var b = new bool[count];
                for (var i = 0; i < count; i++)
                {
                    b[i] = raw[i] != 0;
                }

                return b;
            case ('U', _):
                var strings = new string[count];
                for (var i = 0; i < count; i++)
                {
                    var cell = raw.Slice(i * dt.ItemSize, dt.ItemSize);
                    var text = dt.IsBigEndian ? new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetString(cell) : Encoding.UTF32.GetString(cell);
                    strings[i] = text.TrimEnd('\0');
                }

                return strings;
            case ('S', _):
                var bytes = new byte[count][];
                for (var i = 0; i < count; i++)
                {
                    var cell = raw.Slice(i * dt.ItemSize, dt.ItemSize);
                    var end = cell.Length;
                    while (end > 0 && cell[end - 1] == 0)
                    {
                        end--;
                    }

                    bytes[i] = cell[..end].ToArray();
                }

                return bytes;
            default:
                throw new PickleException($"numpy dtype {dt} is not supported");
        }
    }

    private static T[] Cast<T>(ReadOnlySpan<byte> raw, bool swap, Func<ReadOnlySpan<byte>, T> readBigEndian)
        where T : struct
    {
        if (!swap)
        {
            return MemoryMarshal.Cast<byte, T>(raw).ToArray();
        }

        var size = Marshal.SizeOf<T>();
        var result = new T[raw.Length / size];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = readBigEndian(raw.Slice(i * size, size));
        }

        return result;
    }

    // Reorders a Fortran-ordered buffer into C order; `unit` > 1 moves records of that many bytes (structured dtypes).
    private static Array FortranToC(Array source, long[] shape, int unit)
    {
        var rank = shape.Length;
        var count = (int)ElementCount(shape);
        var fStrides = new long[rank];
        long stride = 1;
        for (var d = 0; d < rank; d++)
        {
            fStrides[d] = stride;
            stride *= shape[d];
        }

        var result = Array.CreateInstanceFromArrayType(source.GetType(), source.Length);
        var index = new long[rank];
        for (var c = 0; c < count; c++)
        {
            long f = 0;
            for (var d = 0; d < rank; d++)
            {
                f += index[d] * fStrides[d];
            }

            Array.Copy(source, f * unit, result, (long)c * unit, unit);
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

        return result;
    }

    /// <summary>The elements converted to double (numeric and bool dtypes; object arrays of numbers).</summary>
    public double[] ToDoubles()
    {
        switch (Data)
        {
            case double[] d: return d;
            case object?[] o:
                return o.Select(v => v switch
                {
                    double x => x,
                    long x => x,
                    bool x => x ? 1.0 : 0.0,
                    null => double.NaN,
                    _ => throw new PickleException($"object array element {v.GetType().Name} is not a number"),
                }).ToArray();
            default:
                if (DType.Fields.Count > 0 || Data is string[] or byte[][])
                {
                    throw new PickleException($"numpy array of dtype {DType} cannot be read as numbers");
                }

                var result = new double[Data.Length];
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = Convert.ToDouble(Data.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
                }

                return result;
        }
    }

    /// <summary>The elements converted to long (integer, bool and integral float dtypes).</summary>
    public long[] ToLongs()
    {
        if (Data is long[] l)
        {
            return l;
        }

        var d = ToDoubles();
        var result = new long[d.Length];
        for (var i = 0; i < d.Length; i++)
        {
            result[i] = (long)d[i];
        }

        return result;
    }

    /// <summary>Each element as a boxed CLR value (numbers, strings, bools, or nested objects).</summary>
    public object?[] ToObjects()
    {
        if (Data is object?[] o)
        {
            return o;
        }

        var result = new object?[Data.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Data.GetValue(i) switch
            {
                float f => (double)f,
                int x => (long)x,
                short x => (long)x,
                sbyte x => (long)x,
                byte x => (long)x,
                ushort x => (long)x,
                uint x => (long)x,
                ulong x => (long)x,
                var v => v,
            };
        }

        return result;
    }

    /// <summary>Reads one numeric field of a structured array as doubles.</summary>
    public double[] FieldAsDoubles(string name)
    {
        var (field, raw) = FindField(name);
        var n = (int)Count;
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            var cell = raw.AsSpan(i * DType.ItemSize + field.Offset, field.DType.ItemSize);
            result[i] = (field.DType.Kind, field.DType.ItemSize) switch
            {
                ('f', 8) => BinaryPrimitives.ReadDoubleLittleEndian(cell),
                ('f', 4) => BinaryPrimitives.ReadSingleLittleEndian(cell),
                ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(cell),
                ('i', 4) => BinaryPrimitives.ReadInt32LittleEndian(cell),
                ('u', 4) => BinaryPrimitives.ReadUInt32LittleEndian(cell),
                ('u', 8) => BinaryPrimitives.ReadUInt64LittleEndian(cell),
                ('u', 1) or ('b', 1) => cell[0],
                ('i', 1) => (sbyte)cell[0],
                ('i', 2) => BinaryPrimitives.ReadInt16LittleEndian(cell),
                ('u', 2) => BinaryPrimitives.ReadUInt16LittleEndian(cell),
                _ => throw new PickleException($"field '{name}' of dtype {field.DType} is not numeric"),
            };
        }

        return result;
    }

    /// <summary>True when the structured dtype has a field called <paramref name="name"/>.</summary>
    public bool HasField(string name) => DType.Fields.Any(f => f.Name == name);

    private (NumpyField Field, byte[] Raw) FindField(string name)
    {
        if (Data is not byte[] raw || DType.Fields.Count == 0)
        {
            throw new PickleException($"numpy array of dtype {DType} has no fields");
        }

        var field = DType.Fields.FirstOrDefault(f => f.Name == name)
            ?? throw new PickleException($"numpy structured array has no field '{name}'");
        if (field.DType.IsBigEndian)
        {
            throw new PickleException($"big-endian field '{name}' is not supported");
        }

        if (field.Offset < 0 || field.Offset + field.DType.ItemSize > DType.ItemSize || raw.LongLength < Count * DType.ItemSize)
        {
            throw new PickleException($"field '{name}' of the structured array lies outside its {DType.ItemSize}-byte records");
        }

        return (field, raw);
    }
}
