using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ServeSharp.Server.Rest.CloudEvents;

/// <summary>
/// Wraps a V1 answer in a CloudEvent as KServe's <c>create_response_cloudevent</c> does: a new <c>id</c> and
/// <c>time</c>, <c>type</c>/<c>source</c> from <see cref="CloudEventOptions"/>, the request's other attributes when
/// <see cref="CloudEventOptions.Merge"/> is set; binary mode (<c>ce-*</c> headers, JSON body) for binary requests,
/// structured mode (<c>application/cloudevents+json</c>) otherwise. Bodies are printed like Python's <c>json.dumps</c>.
/// </summary>
internal static class CloudEventResponse
{
    private const string SpecVersion = "1.0";

    /// <summary>Sets the response headers and writes the event body to <paramref name="output"/>; returns the content type.</summary>
    public static string Write(
        CloudEventRequest request, CloudEventOptions options, string modelName, DateTimeOffset now, ReadOnlySpan<byte> answerJson,
        IHeaderDictionary responseHeaders, IBufferWriter<byte> output)
    {
        var attributes = Attributes(request, options, modelName, now);
        if (request.Mode == CloudEventMode.Binary)
        {
            foreach (var (name, value) in attributes)
            {
                responseHeaders["ce-" + name] = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
            }

            PythonJsonStyle.Write(answerJson, output);
            return "application/json";
        }

        var compact = new ArrayBufferWriter<byte>(answerJson.Length + 256);
        using (var writer = new Utf8JsonWriter(compact))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in attributes)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WritePropertyName("data");
            writer.WriteRawValue(answerJson, skipInputValidation: true);
            writer.WriteEndObject();
        }

        PythonJsonStyle.Write(compact.WrittenSpan, output);
        return CloudEventRequest.StructuredContentType;
    }

    private static List<KeyValuePair<string, JsonElement>> Attributes(
        CloudEventRequest request, CloudEventOptions options, string modelName, DateTimeOffset now)
    {
        var attributes = new List<KeyValuePair<string, JsonElement>>();
        if (options.Merge)
        {
            foreach (var attribute in request.Attributes)
            {
                if (attribute.Key is not ("id" or "time" or "datacontenttype" or "type" or "source"))
                {
                    attributes.Add(attribute);
                }
            }
        }

        Set(attributes, "type", options.Type);
        Set(attributes, "source", options.SourceFor(modelName));
        if (!attributes.Exists(a => a.Key == "specversion"))
        {
            Set(attributes, "specversion", SpecVersion);
        }

        Set(attributes, "id", Guid.NewGuid().ToString());
        // Python's datetime.isoformat() for an aware UTC time: microseconds and "+00:00".
        Set(attributes, "time", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture));
        return attributes;
    }

    private static void Set(List<KeyValuePair<string, JsonElement>> attributes, string name, string value) =>
        attributes.Add(new(name, CloudEventJsonContext.StringElement(value)));
}
