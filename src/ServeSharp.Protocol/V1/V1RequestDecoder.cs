using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.V1;

/// <summary>
/// Decodes a KServe V1 <c>:predict</c>/<c>:explain</c> body into an <see cref="InferenceRequest"/>.
/// <list type="bullet">
/// <item><c>instances</c> or <c>inputs</c> (<c>inputs</c> wins) must be a JSON list.</item>
/// <item>A list of rows/scalars becomes one tensor named <c>input-0</c> whose shape is the nesting
/// (ragged lists are rejected) and whose datatype is INT64 when every leaf is an integer, FP64 for other
/// numbers (null → NaN), BOOL for booleans and BYTES for strings.</item>
/// <item>A list of column-oriented dicts (<c>{"col": [v1, v2]}</c> or <c>{"col": v}</c>) becomes one
/// <c>[rows]</c> tensor per column, in first-seen order, and the request parameter <c>content_type=pd</c>.</item>
/// </list>
/// </summary>
public static class V1RequestDecoder
{
    /// <summary>The name of the single tensor decoded from a list of rows.</summary>
    public const string InputName = "input-0";

    /// <summary>Decodes a JSON V1 body.</summary>
    /// <exception cref="InferenceException">Malformed JSON or an unsupported body shape.</exception>
    public static InferenceRequest Decode(ReadOnlySpan<byte> body, string modelName, IReadOnlyDictionary<string, string>? headers = null)
    {
        try
        {
            return DecodeJson(body, modelName, headers, jump: true);
        }
        catch (JsonException)
        {
            // A jump past a list leaves wrong positions in the reader's error messages: decode again without it.
            return DecodeJson(body, modelName, headers, jump: false);
        }
    }

    /// <summary>
    /// <see cref="Decode"/> with (<paramref name="jump"/>) or without the single-pass fast path; without it every
    /// body is decoded by the general reader. With it, malformed JSON escapes as a <see cref="JsonException"/> (whose
    /// positions may be wrong) instead of an InvalidInput error.
    /// </summary>
    internal static InferenceRequest DecodeJson(ReadOnlySpan<byte> body, string modelName, IReadOnlyDictionary<string, string>? headers, bool jump)
    {
        try
        {
            var (start, length, key, tensor) = FindInstances(body, jump);
            var list = body.Slice(start, length);
            var parameters = new InferParameters();
            IReadOnlyList<Tensor> inputs;
            if (tensor is not null)
            {
                // The list was all numbers, already decoded while finding it (what V1ListDecoder's fast path gives).
                inputs = [tensor];
            }
            else
            {
                var reader = new Utf8JsonReader(list, JsonWriterSettings.ReaderOptions);
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw InferenceException.InvalidInput($"Expected \"{key}\" to be a list");
                }

                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    inputs = V1ColumnDecoder.Decode(list, key);
                    parameters[InferParameters.Names.ContentType] = InferParameter.FromString("pd");
                }
                else
                {
                    inputs = [V1ListDecoder.Decode(list, key)];
                }
            }

            return new InferenceRequest(modelName, inputs)
            {
                Protocol = InferenceProtocol.V1,
                Parameters = parameters,
                Headers = headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
            };
        }
        catch (JsonException e) when (!jump)
        {
            throw InferenceException.InvalidInput($"Unrecognized request format: {e.Message}");
        }
    }

    /// <summary>
    /// A body sent with a non-JSON content type (e.g. <c>image/jpeg</c>): KServe hands the raw bytes to the model.
    /// Here they become one BYTES tensor <c>input-0</c> of shape [1] whose <c>content_type</c> parameter is the
    /// request's content type.
    /// </summary>
    public static InferenceRequest FromRawBody(
        ReadOnlySpan<byte> body, string contentType, string modelName, IReadOnlyDictionary<string, string>? headers = null)
    {
        var parameters = new InferParameters { [InferParameters.Names.ContentType] = InferParameter.FromString(contentType) };
        var tensor = new Tensor(InputName, TensorDataType.Bytes, [1], new[] { body.ToArray() }, parameters);
        return new InferenceRequest(modelName, [tensor])
        {
            Protocol = InferenceProtocol.V1,
            Parameters = new InferParameters { [InferParameters.Names.ContentType] = InferParameter.FromString(contentType) },
            Headers = headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
        };
    }

    /// <summary>
    /// Finds the <c>inputs</c> (or else <c>instances</c>) value. With <paramref name="jump"/>, a list of plain numbers
    /// is decoded on the way (the tensor is returned) and the reader jumps past it instead of tokenising it again.
    /// </summary>
    private static (int Start, int Length, string Key, Tensor? Tensor) FindInstances(ReadOnlySpan<byte> body, bool jump)
    {
        if (jump && TryReadSingleList(body) is { } single)
        {
            return single;
        }

        var reader = new Utf8JsonReader(body, JsonWriterSettings.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw InferenceException.InvalidInput(
                "Unrecognized request format: the body must be a JSON object with \"instances\" or \"inputs\".");
        }

        // The reader reads body[origin..]: after a jump its positions are relative to the end of the skipped list.
        var origin = 0;
        int instancesStart = -1, instancesLength = 0, inputsStart = -1, inputsLength = 0;
        Tensor? instancesTensor = null, inputsTensor = null;
        while (JsonStrings.ReadPropertyName(ref reader))
        {
            var isInputs = reader.ValueTextEquals("inputs"u8);
            var isInstances = !isInputs && reader.ValueTextEquals("instances"u8);
            reader.Read();
            var start = origin + (int)reader.TokenStartIndex;
            int length;
            Tensor? tensor = null;
            if (jump && (isInputs || isInstances) && reader.TokenType == JsonTokenType.StartArray
                && PlainNumberArrayReader.TryReadV1Prefix(body[start..], out var end) is var (shape, dataType, data))
            {
                tensor = new Tensor(InputName, dataType, shape, data);
                length = end;
                reader = JsonReaderJump.PastArray(reader.CurrentState, body[origin..], start + end - origin);
                origin = start + end;
            }
            else
            {
                reader.Skip();
                length = origin + (int)reader.BytesConsumed - start;
            }

            if (isInputs)
            {
                (inputsStart, inputsLength, inputsTensor) = (start, length, tensor);
            }
            else if (isInstances)
            {
                (instancesStart, instancesLength, instancesTensor) = (start, length, tensor);
            }
        }

        if (reader.Read())
        {
            throw InferenceException.InvalidInput("Unrecognized request format: unexpected data after the JSON object.");
        }

        if (inputsStart >= 0)
        {
            return (inputsStart, inputsLength, "inputs", inputsTensor);
        }

        if (instancesStart >= 0)
        {
            return (instancesStart, instancesLength, "instances", instancesTensor);
        }

        throw InferenceException.InvalidInput(
            "Unrecognized request format: the body has neither \"instances\" nor \"inputs\" (expected e.g. {\"instances\": [[1.0, 2.0]]}).");
    }

    /// <summary>
    /// The body almost every client sends — exactly <c>{"instances": [...]}</c> or <c>{"inputs": [...]}</c> of plain
    /// numbers, whitespace allowed around the tokens, the key unescaped — read without a JSON reader: the list by the
    /// same <see cref="PlainNumberArrayReader.TryReadV1Prefix"/> the reader's path uses, so the tensor is the same.
    /// Null for any other body, which the reader's path then decodes (or rejects) as before.
    /// </summary>
    private static (int Start, int Length, string Key, Tensor? Tensor)? TryReadSingleList(ReadOnlySpan<byte> body)
    {
        var i = PlainNumberArrayScanner.SkipWhitespace(body, 0);
        if (i >= body.Length || body[i] != (byte)'{')
        {
            return null;
        }

        i = PlainNumberArrayScanner.SkipWhitespace(body, i + 1);
        string key;
        if (body[i..].StartsWith("\"instances\""u8))
        {
            key = "instances";
            i += "\"instances\"".Length;
        }
        else if (body[i..].StartsWith("\"inputs\""u8))
        {
            key = "inputs";
            i += "\"inputs\"".Length;
        }
        else
        {
            return null;
        }

        i = PlainNumberArrayScanner.SkipWhitespace(body, i);
        if (i >= body.Length || body[i] != (byte)':')
        {
            return null;
        }

        var start = PlainNumberArrayScanner.SkipWhitespace(body, i + 1);
        if (start >= body.Length || body[start] != (byte)'['
            || PlainNumberArrayReader.TryReadV1Prefix(body[start..], out var end) is not var (shape, dataType, data))
        {
            return null;
        }

        i = PlainNumberArrayScanner.SkipWhitespace(body, start + end);
        if (i >= body.Length || body[i] != (byte)'}' || PlainNumberArrayScanner.SkipWhitespace(body, i + 1) != body.Length)
        {
            return null;
        }

        return (start, end, key, new Tensor(InputName, dataType, shape, data));
    }
}
