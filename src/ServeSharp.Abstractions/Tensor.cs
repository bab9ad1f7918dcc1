namespace ServeSharp.Abstractions;

/// <summary>
/// A named, typed, row-major tensor: the unit every protocol decodes into and every runtime reads.
/// The data array's element type is fixed by <see cref="DataType"/>
/// (see <see cref="TensorDataTypeExtensions.ClrElementType"/>) and its length equals the product of
/// <see cref="Shape"/>. Tensors are treated as immutable once handed to a model or a protocol encoder.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>Creates a tensor after checking that <paramref name="data"/> fits the datatype and shape.</summary>
    /// <exception cref="ArgumentException">The array type or length does not match.</exception>
    public Tensor(string name, TensorDataType dataType, long[] shape, Array data, InferParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        var expectedType = dataType.ClrElementType();
        if (data.GetType().GetElementType() != expectedType || data.Rank != 1)
        {
            throw new ArgumentException(
                $"Tensor '{name}' of datatype {dataType.ToWireName()} needs a {expectedType.Name}[] but got {data.GetType().Name}.",
                nameof(data));
        }

        var count = GetElementCount(shape);
        if (count != data.LongLength)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has shape [{string.Join(',', shape)}] ({count} elements) but {data.LongLength} values.",
                nameof(data));
        }

        Name = name;
        DataType = dataType;
        Shape = shape;
        Data = data;
        Parameters = parameters ?? new InferParameters();
    }

    /// <summary>The tensor name (an input, output or column name).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public TensorDataType DataType { get; }

    /// <summary>Dimensions, outermost first. Do not mutate.</summary>
    public long[] Shape { get; }

    /// <summary>The flat row-major data; element type per <see cref="TensorDataTypeExtensions.ClrElementType"/>.</summary>
    public Array Data { get; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public long ElementCount => Data.LongLength;

    /// <summary>Per-tensor parameters (e.g. <c>content_type</c>, <c>binary_data_size</c>).</summary>
    public InferParameters Parameters { get; }

    /// <summary>The data as a typed array.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the storage type.</exception>
    public T[] GetData<T>() => Data.GetType() == typeof(T[])
        ? (T[])Data
        : throw new InvalidOperationException(
            $"Tensor '{Name}' of datatype {DataType.ToWireName()} is stored as {Data.GetType().Name}, not {typeof(T).Name}[].");

    /// <summary>Creates a tensor whose datatype is inferred from <typeparamref name="T"/> (not for BF16).</summary>
    public static Tensor Create<T>(string name, long[] shape, T[] data, InferParameters? parameters = null)
    {
        if (!TensorDataTypeExtensions.TryFromClrType<T>(out var dataType))
        {
            throw new ArgumentException($"{typeof(T).Name} is not a tensor element type.", nameof(data));
        }

        return new Tensor(name, dataType.Value, shape, data, parameters);
    }

    /// <summary>Creates a BYTES tensor holding UTF-8 encoded strings.</summary>
    public static Tensor FromStrings(string name, long[] shape, IReadOnlyList<string> values, InferParameters? parameters = null)
    {
        var data = new byte[values.Count][];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = System.Text.Encoding.UTF8.GetBytes(values[i]);
        }

        return new Tensor(name, TensorDataType.Bytes, shape, data, parameters);
    }

    /// <summary>
    /// The product of the dimensions.
    /// </summary>
    /// <exception cref="ArgumentException">A dimension is negative or the product overflows.</exception>
    public static long GetElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Shape dimension {dim} is negative.", nameof(shape));
            }

            count = checked(count * dim);
        }

        return count;
    }
}
