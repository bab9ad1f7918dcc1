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
            var (start, length, key) = FindInstances(body);
            var list = body.Slice(start, length);
            var reader = new Utf8JsonReader(list, JsonWriterSettings.ReaderOptions);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw InferenceException.InvalidInput($"Expected \"{key}\" to be a list");
            }

            reader.Read();
            var parameters = new InferParameters();
            IReadOnlyList<Tensor> inputs;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                inputs = V1ColumnDecoder.Decode(list, key);
                parameters[InferParameters.Names.ContentType] = InferParameter.FromString("pd");
            }
            else
            {
                inputs = [V1ListDecoder.Decode(list, key)];
            }

            return new InferenceRequest(modelName, inputs)
            {
                Protocol = InferenceProtocol.V1,
                Parameters = parameters,
                Headers = headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
            };
        }
        catch (JsonException e)
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

    private static (int Start, int Length, string Key) FindInstances(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, JsonWriterSettings.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw InferenceException.InvalidInput(
                "Unrecognized request format: the body must be a JSON object with \"instances\" or \"inputs\".");
        }

        int instancesStart = -1, instancesLength = 0, inputsStart = -1, inputsLength = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isInputs = reader.ValueTextEquals("inputs"u8);
            var isInstances = !isInputs && reader.ValueTextEquals("instances"u8);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var length = (int)reader.BytesConsumed - start;
            if (isInputs)
            {
                (inputsStart, inputsLength) = (start, length);
            }
            else if (isInstances)
            {
                (instancesStart, instancesLength) = (start, length);
            }
        }

        if (reader.Read())
        {
            throw InferenceException.InvalidInput("Unrecognized request format: unexpected data after the JSON object.");
        }

        if (inputsStart >= 0)
        {
            return (inputsStart, inputsLength, "inputs");
        }

        if (instancesStart >= 0)
        {
            return (instancesStart, instancesLength, "instances");
        }

        throw InferenceException.InvalidInput(
            "Unrecognized request format: the body has neither \"instances\" nor \"inputs\" (expected e.g. {\"instances\": [[1.0, 2.0]]}).");
    }
}
