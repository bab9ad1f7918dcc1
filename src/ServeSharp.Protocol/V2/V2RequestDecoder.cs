using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Binary;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.V2;

/// <summary>
/// Decodes a V2 REST inference request body (JSON, optionally followed by binary tensor data) into an
/// <see cref="InferenceRequest"/> in one pass over the bytes, without building a JSON document.
/// </summary>
public static class V2RequestDecoder
{
    /// <summary>
    /// Decodes <paramref name="body"/>. <paramref name="jsonLength"/> is the value of
    /// <c>Inference-Header-Content-Length</c> (null when the header is absent: the whole body is JSON).
    /// </summary>
    /// <exception cref="InferenceException">The request is malformed; the message says what is wrong.</exception>
    public static InferenceRequest Decode(
        ReadOnlySpan<byte> body, long? jsonLength, string modelName, IReadOnlyDictionary<string, string>? headers = null)
    {
        try
        {
            return Decode(body, jsonLength, modelName, headers, jump: true);
        }
        catch (JsonException)
        {
            // A jump past a data array leaves wrong positions in the reader's error messages: decode again without it.
            return Decode(body, jsonLength, modelName, headers, jump: false);
        }
    }

    /// <summary>
    /// <see cref="Decode(ReadOnlySpan{byte}, long?, string, IReadOnlyDictionary{string, string}?)"/> with
    /// (<paramref name="jump"/>) or without decoding data arrays while parsing the header. With it, malformed JSON
    /// escapes as a <see cref="JsonException"/> (whose positions may be wrong) instead of an InvalidInput error.
    /// </summary>
    internal static InferenceRequest Decode(
        ReadOnlySpan<byte> body, long? jsonLength, string modelName, IReadOnlyDictionary<string, string>? headers, bool jump)
    {
        ReadOnlySpan<byte> json = body;
        ReadOnlySpan<byte> binary = default;
        if (jsonLength is { } length)
        {
            if (length < 0 || length > body.Length)
            {
                throw InferenceException.InvalidInput(
                    $"Inference-Header-Content-Length is {length} but the request body has only {body.Length} bytes.");
            }

            json = body[..(int)length];
            binary = body[(int)length..];
        }

        var header = ParseHeader(json, jump);

        var inputHeaders = header.Inputs!;
        var inputs = new Tensor[inputHeaders.Count];
        var binaryOffset = 0;
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = BuildInput(inputHeaders[i], json, binary, jsonLength is not null, ref binaryOffset, modelName);
        }

        if (binaryOffset != binary.Length)
        {
            throw InferenceException.InvalidInput(
                $"The request has {binary.Length} bytes of binary data after the JSON header, but its inputs' " +
                $"binary_data_size values add up to {binaryOffset}.");
        }

        return new InferenceRequest(modelName, inputs)
        {
            Id = header.Id,
            Parameters = header.Parameters ?? new InferParameters(),
            Outputs = header.Outputs,
            Protocol = InferenceProtocol.V2Rest,
            Headers = headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
        };
    }

    private static Tensor BuildInput(
        InputHeader input, ReadOnlySpan<byte> json, ReadOnlySpan<byte> binary, bool hasBinaryHeader, ref int binaryOffset, string modelName)
    {
        if (input.DataStart >= 0)
        {
            // JSON data bounds its own buffer (TensorJsonDataReader), so a shape beyond any array's size is a count
            // mismatch like any other; only a negative dimension or an overflowing product is reported as such.
            // The "input '...'" wording is only built for the slow path and errors.
            if (!BinaryTensorCodec.TryElementCountUnbounded(input.Shape, out var count))
            {
                BinaryTensorCodec.ElementCountUnbounded(input.Shape, $"input '{input.Name}'");
            }

            if (input.DataType is TensorDataType.FP16 or TensorDataType.BF16)
            {
                throw InferenceException.InvalidInput(
                    $"Sending {input.DataType.ToWireName()} data via JSON is not supported. Please use the binary data format for input {input.Name}");
            }

            var dataJson = json.Slice(input.DataStart, input.DataLength);
            // n numbers take at least 2n + 1 bytes: the fast path allocates the shape's count, so only when the data can fill it.
            var data = input.Data
                ?? (count <= dataJson.Length / 2 ? PlainNumberArrayReader.TryReadV2(dataJson, input.DataType, (int)count) : null);
            if (data is null)
            {
                var reader = new Utf8JsonReader(dataJson, JsonWriterSettings.ReaderOptions);
                reader.Read();
                data = TensorJsonDataReader.Read(ref reader, input.DataType, count, $"input '{input.Name}'", input.Shape, dataJson.Length);
            }

            return new Tensor(input.Name, input.DataType, input.Shape, data, input.Parameters);
        }

        var what = $"input '{input.Name}'";
        BinaryTensorCodec.ElementCount(input.Shape, what); // a bad shape is reported before missing data
        var size = input.Parameters?.GetInt64(InferParameters.Names.BinaryDataSize);
        if (size is null)
        {
            throw InferenceException.InvalidInput($"'data' field is missing for input '{input.Name}' for model '{modelName}'");
        }

        if (!hasBinaryHeader)
        {
            throw InferenceException.InvalidInput(
                $"Input '{input.Name}' has 'binary_data_size' but the request has no Inference-Header-Content-Length header " +
                "saying where the JSON part ends.");
        }

        if (size < 0 || size > binary.Length - binaryOffset)
        {
            throw InferenceException.InvalidInput(
                $"Input '{input.Name}' declares binary_data_size {size}, but only {binary.Length - binaryOffset} bytes of " +
                "binary data remain after the JSON header and the preceding binary inputs.");
        }

        var chunk = binary.Slice(binaryOffset, (int)size);
        binaryOffset += (int)size;
        return BinaryTensorCodec.Read(input.Name, input.DataType, input.Shape, chunk, input.Parameters, what);
    }

    /// <summary>
    /// Reads everything but the tensor data. With <paramref name="jump"/>, a <c>data</c> array of plain numbers that
    /// comes after its input's <c>datatype</c> and <c>shape</c> (the usual order) is decoded on the way and the reader
    /// jumps past it (<see cref="JsonReaderJump"/>); a <see cref="JsonException"/> then escapes for the caller to
    /// decode again without jumping.
    /// </summary>
    private static RequestHeader ParseHeader(ReadOnlySpan<byte> json, bool jump)
    {
        var reader = new Utf8JsonReader(json, JsonWriterSettings.ReaderOptions);
        var position = new ReaderPosition(json, jump);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw InferenceException.InvalidInput("Unrecognized request format: the request body must be a JSON object.");
            }

            var header = new RequestHeader();
            while (JsonStrings.ReadPropertyName(ref reader))
            {
                if (reader.ValueTextEquals("inputs"u8))
                {
                    reader.Read();
                    header.Inputs = ReadInputs(ref reader, ref position);
                }
                else if (reader.ValueTextEquals("outputs"u8))
                {
                    reader.Read();
                    header.Outputs = ReadOutputs(ref reader);
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    header.Id = reader.TokenType switch
                    {
                        JsonTokenType.String => JsonStrings.Get(ref reader),
                        JsonTokenType.Null => null,
                        _ => throw InferenceException.InvalidInput("'id' must be a string."),
                    };
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    reader.Read();
                    header.Parameters = JsonParameterCodec.Read(ref reader, "the request");
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.Read())
            {
                throw InferenceException.InvalidInput(
                    "Unrecognized request format: unexpected data after the JSON object. Binary tensor data needs the " +
                    "Inference-Header-Content-Length header.");
            }

            if (header.Inputs is null)
            {
                throw InferenceException.InvalidInput("Unrecognized request format: the required field 'inputs' is missing.");
            }

            return header;
        }
        catch (JsonException e) when (!jump)
        {
            throw InferenceException.InvalidInput($"Unrecognized request format: {e.Message}");
        }
    }

    private static List<InputHeader> ReadInputs(ref Utf8JsonReader reader, ref ReaderPosition position)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw InferenceException.InvalidInput("'inputs' must be a JSON array of input tensors.");
        }

        var inputs = new List<InputHeader>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            inputs.Add(ReadInput(ref reader, ref position, inputs.Count));
        }

        return inputs;
    }

    private static InputHeader ReadInput(ref Utf8JsonReader reader, ref ReaderPosition position, int index)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw InferenceException.InvalidInput($"inputs[{index}] must be a JSON object.");
        }

        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        InferParameters? parameters = null;
        var dataStart = -1;
        var dataLength = 0;
        Array? data = null;
        long[]? dataShape = null;
        string? dataDatatype = null;
        while (JsonStrings.ReadPropertyName(ref reader))
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.TokenType == JsonTokenType.String
                    ? JsonStrings.Get(ref reader)
                    : throw InferenceException.InvalidInput($"'name' of inputs[{index}] must be a string.");
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                reader.Read();
                datatype = reader.TokenType == JsonTokenType.String
                    ? JsonStrings.Get(ref reader)
                    : throw InferenceException.InvalidInput($"'datatype' of inputs[{index}] must be a string.");
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                reader.Read();
                shape = ReadShape(ref reader, index);
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                reader.Read();
                parameters = JsonParameterCodec.Read(ref reader, $"inputs[{index}]");
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw InferenceException.InvalidInput($"'data' of inputs[{index}] must be a JSON array.");
                }

                // Remember where the data is and decode it once the datatype and shape are known
                // (JSON does not fix the order of an object's fields).
                dataStart = position.Origin + (int)reader.TokenStartIndex;
                data = position.Jump && datatype is not null && shape is not null
                    ? position.TryDecodeAndJump(ref reader, dataStart, datatype, shape, out dataLength)
                    : null;
                if (data is null)
                {
                    reader.Skip();
                    dataLength = position.Origin + (int)reader.BytesConsumed - dataStart;
                }

                (dataShape, dataDatatype) = (shape, datatype);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (name is null)
        {
            throw InferenceException.InvalidInput($"inputs[{index}] is missing the required field 'name'.");
        }

        if (shape is null)
        {
            throw InferenceException.InvalidInput($"Input '{name}' is missing the required field 'shape'.");
        }

        if (datatype is null)
        {
            throw InferenceException.InvalidInput($"Input '{name}' is missing the required field 'datatype'.");
        }

        if (!TensorDataTypeExtensions.TryParseWireName(datatype, out var dataType))
        {
            throw InferenceException.InvalidInput(
                $"Input '{name}' has unsupported datatype '{datatype}'. Expected one of BOOL, UINT8, UINT16, UINT32, " +
                "UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES, BF16.");
        }

        // Data decoded before a later repeat of "shape" or "datatype" changed them is decoded again in BuildInput.
        var decoded = ReferenceEquals(dataShape, shape) && ReferenceEquals(dataDatatype, datatype) ? data : null;
        return new InputHeader(name, dataType, shape, parameters, dataStart, dataLength, decoded);
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw InferenceException.InvalidInput($"'shape' of inputs[{index}] must be an array of integers.");
        }

        Span<long> dims = stackalloc long[16];
        var count = 0;
        List<long>? overflow = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim))
            {
                throw InferenceException.InvalidInput($"'shape' of inputs[{index}] must be an array of integers.");
            }

            if (count < dims.Length)
            {
                dims[count] = dim;
            }
            else
            {
                overflow ??= [.. dims];
                overflow.Add(dim);
            }

            count++;
        }

        return overflow is not null ? [.. overflow] : dims[..count].ToArray();
    }

    private static List<RequestedOutput> ReadOutputs(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw InferenceException.InvalidInput("'outputs' must be a JSON array of requested outputs.");
        }

        var outputs = new List<RequestedOutput>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw InferenceException.InvalidInput($"outputs[{outputs.Count}] must be a JSON object.");
            }

            string? name = null;
            InferParameters? parameters = null;
            while (JsonStrings.ReadPropertyName(ref reader))
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    name = reader.TokenType == JsonTokenType.String
                        ? JsonStrings.Get(ref reader)
                        : throw InferenceException.InvalidInput($"'name' of outputs[{outputs.Count}] must be a string.");
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    reader.Read();
                    parameters = JsonParameterCodec.Read(ref reader, $"outputs[{outputs.Count}]");
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (name is null)
            {
                throw InferenceException.InvalidInput($"outputs[{outputs.Count}] is missing the required field 'name'.");
            }

            outputs.Add(new RequestedOutput(name, parameters ?? new InferParameters()));
        }

        return outputs;
    }

    private sealed class RequestHeader
    {
        public string? Id { get; set; }

        public InferParameters? Parameters { get; set; }

        public List<InputHeader>? Inputs { get; set; }

        public List<RequestedOutput>? Outputs { get; set; }
    }

    private sealed record InputHeader(
        string Name, TensorDataType DataType, long[] Shape, InferParameters? Parameters, int DataStart, int DataLength, Array? Data);

    /// <summary>Where the reader is in the JSON: after a jump it reads <c>json[Origin..]</c>.</summary>
    private ref struct ReaderPosition(ReadOnlySpan<byte> json, bool jump)
    {
        private readonly ReadOnlySpan<byte> _json = json;

        public bool Jump { get; } = jump;

        public int Origin { get; private set; }

        /// <summary>
        /// Decodes the data array whose StartArray the reader has just read, at <paramref name="start"/> of the JSON,
        /// with the fast path, and moves the reader past it; null (reader untouched) when the fast path declines.
        /// </summary>
        public Array? TryDecodeAndJump(ref Utf8JsonReader reader, int start, string datatype, long[] shape, out int length)
        {
            length = 0;
            // n numbers take at least 2n + 1 bytes: a larger count cannot match, so nothing is allocated for it.
            if (!TensorDataTypeExtensions.TryParseWireName(datatype, out var dataType) || !TryCount(shape, out var count)
                || count > (_json.Length - start) / 2)
            {
                return null;
            }

            var data = PlainNumberArrayReader.TryReadV2Prefix(_json[start..], dataType, count, out var end);
            if (data is null)
            {
                return null;
            }

            reader = JsonReaderJump.PastArray(reader.CurrentState, _json[Origin..], start + end - Origin);
            Origin = start + end;
            length = end;
            return data;
        }

        // The element count without BinaryTensorCodec.ElementCount's errors: a bad shape is reported later, in order.
        private static bool TryCount(long[] shape, out int count)
        {
            long total = 1;
            foreach (var dim in shape)
            {
                if (dim < 0 || (dim > 0 && total > int.MaxValue / dim))
                {
                    count = 0;
                    return false;
                }

                total *= dim;
            }

            count = (int)total;
            return true;
        }
    }
}
