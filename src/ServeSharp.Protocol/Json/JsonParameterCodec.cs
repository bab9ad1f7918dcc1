using System.Text.Json;
using ServeSharp.Abstractions;

namespace ServeSharp.Protocol.Json;

/// <summary>Reads and writes V2 <c>parameters</c> objects: values are strings, numbers or booleans only.</summary>
public static class JsonParameterCodec
{
    /// <summary>Reads the object at the reader's <see cref="JsonTokenType.StartObject"/> into a new map.</summary>
    /// <exception cref="InferenceException">Not an object, or a value is null, an object or an array.</exception>
    public static InferParameters Read(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return new InferParameters();
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw InferenceException.InvalidInput($"'parameters' of {what} must be a JSON object.");
        }

        var result = new InferParameters();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = JsonStrings.Get(ref reader);
            reader.Read();
            result[key] = reader.TokenType switch
            {
                JsonTokenType.String => InferParameter.FromString(JsonStrings.Get(ref reader)),
                JsonTokenType.True => InferParameter.FromBool(true),
                JsonTokenType.False => InferParameter.FromBool(false),
                JsonTokenType.Number => ReadNumber(ref reader),
                _ => throw InferenceException.InvalidInput(
                    $"Parameter '{key}' of {what} must be a string, number or boolean, not {Describe(reader.TokenType)}."),
            };
        }

        return result;
    }

    /// <summary>Writes <paramref name="parameters"/> as a JSON object value.</summary>
    public static void Write(Utf8JsonWriter writer, InferParameters parameters)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in parameters)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes one parameter value.</summary>
    public static void WriteValue(Utf8JsonWriter writer, InferParameter value)
    {
        switch (value.Kind)
        {
            case InferParameterKind.Bool:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            case InferParameterKind.Int64:
                writer.WriteNumberValue(value.Int64Value);
                break;
            case InferParameterKind.UInt64:
                writer.WriteNumberValue(value.UInt64Value);
                break;
            case InferParameterKind.Double:
                JsonNumberWriter.WriteDouble(writer, value.DoubleValue);
                break;
            default:
                writer.WriteStringValue(value.StringValue);
                break;
        }
    }

    private static InferParameter ReadNumber(ref Utf8JsonReader reader)
    {
        if (reader.TryGetInt64(out var l))
        {
            return InferParameter.FromInt64(l);
        }

        if (reader.TryGetUInt64(out var u))
        {
            return InferParameter.FromUInt64(u);
        }

        return InferParameter.FromDouble(reader.GetDouble());
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };
}
