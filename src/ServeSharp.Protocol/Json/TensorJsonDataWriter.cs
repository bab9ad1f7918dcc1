using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ServeSharp.Abstractions;

namespace ServeSharp.Protocol.Json;

/// <summary>Writes tensor elements as JSON values, flat (V2) or nested by shape (V1).</summary>
public static class TensorJsonDataWriter
{
    /// <summary>Writes the elements as one flat JSON array.</summary>
    /// <exception cref="InferenceException">FP16/BF16 data (not allowed in JSON) or non-UTF-8 BYTES.</exception>
    public static void WriteFlat(Utf8JsonWriter writer, Tensor tensor) =>
        WriteValues(writer, tensor, 0, (int)tensor.ElementCount, allowHalf: false, asArray: true);

    /// <summary>
    /// Writes the elements nested by <see cref="Tensor.Shape"/> (a scalar for shape []), the way numpy's
    /// <c>tolist()</c> does. FP16/BF16 are written as numbers here: V1 has no binary alternative.
    /// </summary>
    public static void WriteNested(Utf8JsonWriter writer, Tensor tensor) =>
        WriteNested(writer, tensor, 0, 0, tensor.Shape);

    /// <summary>Writes row <paramref name="row"/> of the tensor (its first dimension) nested by the remaining dimensions.</summary>
    public static void WriteRow(Utf8JsonWriter writer, Tensor tensor, long row)
    {
        var shape = tensor.Shape;
        if (shape.Length == 0)
        {
            WriteValues(writer, tensor, 0, 1, allowHalf: true, asArray: false);
            return;
        }

        long rowSize = 1;
        for (var i = 1; i < shape.Length; i++)
        {
            rowSize *= shape[i];
        }

        WriteNested(writer, tensor, 1, row * rowSize, shape);
    }

    private static void WriteNested(Utf8JsonWriter writer, Tensor tensor, int dim, long offset, long[] shape)
    {
        if (dim == shape.Length)
        {
            WriteValues(writer, tensor, (int)offset, 1, allowHalf: true, asArray: false);
            return;
        }

        long stride = 1;
        for (var i = dim + 1; i < shape.Length; i++)
        {
            stride *= shape[i];
        }

        if (dim == shape.Length - 1)
        {
            WriteValues(writer, tensor, (int)offset, (int)shape[dim], allowHalf: true, asArray: true);
            return;
        }

        writer.WriteStartArray();
        for (long i = 0; i < shape[dim]; i++)
        {
            WriteNested(writer, tensor, dim + 1, offset + (i * stride), shape);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Writes elements <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> as one JSON
    /// array, or, when not <paramref name="asArray"/>, the single element there as a bare value (a scalar).
    /// </summary>
    private static void WriteValues(Utf8JsonWriter writer, Tensor tensor, int start, int count, bool allowHalf, bool asArray)
    {
        switch (tensor.DataType)
        {
            case TensorDataType.Int64: WriteElements<long, IntegerFormat<long>>(writer, ((long[])tensor.Data).AsSpan(start, count), asArray); return;
            case TensorDataType.Int32: WriteElements<int, IntegerFormat<int>>(writer, ((int[])tensor.Data).AsSpan(start, count), asArray); return;
            case TensorDataType.Int16: WriteElements<short, IntegerFormat<short>>(writer, ((short[])tensor.Data).AsSpan(start, count), asArray); return;
            case TensorDataType.Int8: WriteElements<sbyte, IntegerFormat<sbyte>>(writer, ((sbyte[])tensor.Data).AsSpan(start, count), asArray); return;
            case TensorDataType.UInt64: WriteElements<ulong, IntegerFormat<ulong>>(writer, ((ulong[])tensor.Data).AsSpan(start, count), asArray); return;
            case TensorDataType.UInt32: WriteElements<uint, IntegerFormat<uint>>(writer, ((uint[])tensor.Data).AsSpan(start, count), asArray); return;
            case TensorDataType.UInt16: WriteElements<ushort, IntegerFormat<ushort>>(writer, ((ushort[])tensor.Data).AsSpan(start, count), asArray); return;
            case TensorDataType.UInt8: WriteElements<byte, IntegerFormat<byte>>(writer, ((byte[])tensor.Data).AsSpan(start, count), asArray); return;
            case TensorDataType.FP32: WriteElements<float, SingleFormat>(writer, ((float[])tensor.Data).AsSpan(start, count), asArray); return;
            case TensorDataType.FP64: WriteElements<double, DoubleFormat>(writer, ((double[])tensor.Data).AsSpan(start, count), asArray); return;
        }

        if (asArray)
        {
            writer.WriteStartArray();
        }

        WriteRange(writer, tensor, start, count, allowHalf);
        if (asArray)
        {
            writer.WriteEndArray();
        }
    }

    /// <summary>
    /// Numbers formatted in one buffer and written as one raw value (an array, or one bare number when not
    /// <paramref name="asArray"/>): the same text as one writer call per element (invariant digits, commas, no
    /// spaces), without the writer's per-value work.
    /// </summary>
    private static void WriteElements<T, TFormat>(Utf8JsonWriter writer, ReadOnlySpan<T> values, bool asArray)
        where TFormat : IElementFormat<T>
    {
        // Each value gets room for its longest text and a comma; then the brackets.
        var buffer = FormatScratch.Rent((values.Length * (TFormat.MaxLength + 1)) + 2);
        var length = 0;
        if (asArray)
        {
            buffer[length++] = (byte)'[';
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                buffer[length++] = (byte)',';
            }

            length += TFormat.Format(values[i], buffer.AsSpan(length));
        }

        if (asArray)
        {
            buffer[length++] = (byte)']';
        }

        writer.WriteRawValue(buffer.AsSpan(0, length), skipInputValidation: true);
        FormatScratch.Return(buffer);
    }

    /// <summary>The element types <see cref="WriteValues"/> does not format itself: BOOL, FP16/BF16 and BYTES.</summary>
    private static void WriteRange(Utf8JsonWriter writer, Tensor tensor, int start, int count, bool allowHalf)
    {
        var end = start + count;
        switch (tensor.DataType)
        {
            case TensorDataType.Bool:
                foreach (var v in ((bool[])tensor.Data).AsSpan(start, count))
                {
                    writer.WriteBooleanValue(v);
                }

                break;
            case TensorDataType.FP16 when allowHalf:
                foreach (var v in ((Half[])tensor.Data).AsSpan(start, count))
                {
                    JsonNumberWriter.WriteDouble(writer, (double)v);
                }

                break;
            case TensorDataType.BF16 when allowHalf:
                foreach (var v in ((ushort[])tensor.Data).AsSpan(start, count))
                {
                    JsonNumberWriter.WriteDouble(writer, BitConverter.Int32BitsToSingle(v << 16));
                }

                break;
            case TensorDataType.Bytes:
                var elements = (byte[][])tensor.Data;
                for (var i = start; i < end; i++)
                {
                    WriteUtf8(writer, tensor.Name, elements[i]);
                }

                break;
            default:
                throw InferenceException.InvalidInput(
                    $"Sending {tensor.DataType.ToWireName()} data via JSON is not supported. Please use the binary data format for output {tensor.Name}");
        }
    }

    private static void WriteUtf8(Utf8JsonWriter writer, string name, byte[] value)
    {
        if (!System.Text.Unicode.Utf8.IsValid(value))
        {
            throw new InferenceException(
                InferenceErrorKind.InvalidInput,
                $"Output '{name}' holds bytes that are not valid UTF-8, so they cannot be sent as JSON; ask for it with binary_data=true.");
        }

        writer.WriteStringValue(value);
    }

    /// <summary>How one element type is written: its longest text and the formatting.</summary>
    private interface IElementFormat<T>
    {
        static abstract int MaxLength { get; }

        static abstract int Format(T value, Span<byte> destination);
    }

    private readonly struct IntegerFormat<T> : IElementFormat<T>
        where T : IBinaryInteger<T>, IUtf8SpanFormattable
    {
        // 20 digits and a sign.
        public static int MaxLength => 21;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Format(T value, Span<byte> destination)
        {
            // Class labels, counts, flags: mostly a single digit, which needs none of the general formatter's work.
            if (T.IsPositive(value) && value < T.CreateTruncating(10))
            {
                destination[0] = (byte)('0' + byte.CreateTruncating(value));
                return 1;
            }

            value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
            return written;
        }
    }

    private readonly struct SingleFormat : IElementFormat<float>
    {
        public static int MaxLength => JsonNumberWriter.MaxLength;

        public static int Format(float value, Span<byte> destination) => JsonNumberWriter.Format(value, destination);
    }

    private readonly struct DoubleFormat : IElementFormat<double>
    {
        public static int MaxLength => JsonNumberWriter.MaxLength;

        public static int Format(double value, Span<byte> destination) => JsonNumberWriter.Format(value, destination);
    }
}
