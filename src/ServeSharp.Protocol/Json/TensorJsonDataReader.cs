using System.Text;
using System.Text.Json;
using ServeSharp.Abstractions;

namespace ServeSharp.Protocol.Json;

/// <summary>
/// Reads a tensor's JSON <c>data</c> array — flat or nested to any depth, row-major — straight into the typed
/// array that <see cref="Tensor"/> stores, checking every element's type and the element count against the shape.
/// </summary>
public static class TensorJsonDataReader
{
    /// <summary>
    /// Reads the array at the reader's current <see cref="JsonTokenType.StartArray"/> token into a new array of
    /// <paramref name="expectedCount"/> elements. <paramref name="what"/> names the tensor in error messages
    /// (e.g. <c>input 'x'</c>). <paramref name="jsonLength"/> is the byte length of the array's JSON: the element
    /// count comes from the client's shape, so the buffer is never larger than that many bytes could fill
    /// (n elements take at least 2n + 1 bytes) and a shape that the data does not back gets the count-mismatch error
    /// instead of a huge allocation.
    /// </summary>
    /// <exception cref="InferenceException">Wrong element type, value out of range, or wrong element count.</exception>
    public static Array Read(
        ref Utf8JsonReader reader, TensorDataType dataType, long expectedCount, string what, long[] shape, int jsonLength)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw InferenceException.InvalidInput($"'data' of {what} must be a JSON array.");
        }

        var count = expectedCount;
        var capacity = (int)Math.Min(count, Math.Max(jsonLength, 0) / 2);
        return dataType switch
        {
            TensorDataType.Bool => ReadAll<bool, BoolParser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.UInt8 => ReadAll<byte, UInt8Parser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.UInt16 => ReadAll<ushort, UInt16Parser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.UInt32 => ReadAll<uint, UInt32Parser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.UInt64 => ReadAll<ulong, UInt64Parser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.Int8 => ReadAll<sbyte, Int8Parser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.Int16 => ReadAll<short, Int16Parser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.Int32 => ReadAll<int, Int32Parser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.Int64 => ReadAll<long, Int64Parser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.FP32 => ReadAll<float, SingleParser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.FP64 => ReadAll<double, DoubleParser>(ref reader, count, capacity, what, shape, dataType),
            TensorDataType.Bytes => ReadAll<byte[], BytesParser>(ref reader, count, capacity, what, shape, dataType),
            _ => throw InferenceException.InvalidInput(
                $"{dataType.ToWireName()} data cannot be sent as JSON for {what}; use the binary data format."),
        };
    }

    private static T[] ReadAll<T, TParser>(
        ref Utf8JsonReader reader, long count, int capacity, string what, long[] shape, TensorDataType dataType)
        where TParser : IElementParser<T>
    {
        // capacity < count only for a shape the JSON cannot back (index never reaches it): the count check fails.
        var result = capacity == 0 ? [] : new T[capacity];
        var index = 0;
        var depth = 0;
        do
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    depth++;
                    break;
                case JsonTokenType.EndArray:
                    depth--;
                    break;
                default:
                    if (index >= result.Length)
                    {
                        throw CountMismatch(what, shape, count, CountRemaining(ref reader, index + 1L, depth));
                    }

                    if (!TParser.TryParse(ref reader, out result[index]))
                    {
                        throw BadElement(ref reader, what, dataType, index);
                    }

                    index++;
                    break;
            }
        }
        while (depth > 0 && reader.Read());

        if (index != count)
        {
            throw CountMismatch(what, shape, count, index);
        }

        return result;
    }

    private static long CountRemaining(ref Utf8JsonReader reader, long counted, int depth)
    {
        while (depth > 0 && reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    depth++;
                    break;
                case JsonTokenType.EndArray:
                    depth--;
                    break;
                default:
                    counted++;
                    if (reader.TokenType is JsonTokenType.StartObject)
                    {
                        reader.Skip();
                    }

                    break;
            }
        }

        return counted;
    }

    private static InferenceException CountMismatch(string what, long[] shape, long expected, long actual) =>
        InferenceException.InvalidInput(
            $"{what} has shape [{string.Join(',', shape)}], which needs {expected} elements, but 'data' holds {actual}.");

    private static InferenceException BadElement(ref Utf8JsonReader reader, string what, TensorDataType dataType, int index)
    {
        var token = reader.TokenType switch
        {
            JsonTokenType.String => "a string",
            JsonTokenType.Number => $"the number {Encoding.UTF8.GetString(reader.ValueSpan)}",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            JsonTokenType.Null => "null",
            JsonTokenType.StartObject => "an object",
            _ => reader.TokenType.ToString(),
        };
        return InferenceException.InvalidInput(
            $"Element {index} of {what} is {token}, which is not a valid {dataType.ToWireName()} value ({Expectation(dataType)}).");
    }

    private static string Expectation(TensorDataType dataType) => dataType switch
    {
        TensorDataType.Bool => "expected true or false",
        TensorDataType.Bytes => "expected a string",
        TensorDataType.FP32 or TensorDataType.FP64 => "expected a number",
        TensorDataType.UInt8 => "expected an integer in 0..255",
        TensorDataType.UInt16 => "expected an integer in 0..65535",
        TensorDataType.UInt32 => "expected an integer in 0..4294967295",
        TensorDataType.UInt64 => "expected an integer in 0..18446744073709551615",
        TensorDataType.Int8 => "expected an integer in -128..127",
        TensorDataType.Int16 => "expected an integer in -32768..32767",
        TensorDataType.Int32 => "expected an integer in -2147483648..2147483647",
        _ => "expected a 64-bit integer",
    };

    private interface IElementParser<T>
    {
        static abstract bool TryParse(ref Utf8JsonReader reader, out T value);
    }

    private readonly struct BoolParser : IElementParser<bool>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out bool value)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.True:
                    value = true;
                    return true;
                case JsonTokenType.False:
                    value = false;
                    return true;
                default:
                    value = false;
                    return false;
            }
        }
    }

    private readonly struct UInt8Parser : IElementParser<byte>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out byte value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetByte(out value);
        }
    }

    private readonly struct UInt16Parser : IElementParser<ushort>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out ushort value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out value);
        }
    }

    private readonly struct UInt32Parser : IElementParser<uint>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out uint value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out value);
        }
    }

    private readonly struct UInt64Parser : IElementParser<ulong>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out ulong value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out value);
        }
    }

    private readonly struct Int8Parser : IElementParser<sbyte>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out sbyte value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetSByte(out value);
        }
    }

    private readonly struct Int16Parser : IElementParser<short>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out short value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetInt16(out value);
        }
    }

    private readonly struct Int32Parser : IElementParser<int>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out int value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value);
        }
    }

    private readonly struct Int64Parser : IElementParser<long>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out long value)
        {
            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
        }
    }

    private readonly struct SingleParser : IElementParser<float>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out float value)
        {
            // null stands for NaN: orjson (KServe) writes NaN/Inf as null, so accept it back.
            if (reader.TokenType == JsonTokenType.Null)
            {
                value = float.NaN;
                return true;
            }

            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out value);
        }
    }

    private readonly struct DoubleParser : IElementParser<double>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out double value)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                value = double.NaN;
                return true;
            }

            value = 0;
            return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value);
        }
    }

    private readonly struct BytesParser : IElementParser<byte[]>
    {
        public static bool TryParse(ref Utf8JsonReader reader, out byte[] value)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                value = [];
                return false;
            }

            value = JsonStringBytes.Read(ref reader);
            return true;
        }
    }
}
