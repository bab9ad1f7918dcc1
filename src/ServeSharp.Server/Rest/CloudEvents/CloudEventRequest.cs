using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ServeSharp.Abstractions;

namespace ServeSharp.Server.Rest.CloudEvents;

/// <summary>
/// A V1 request body read as KServe's data plane reads CloudEvents: binary mode when all four of
/// <c>ce-specversion</c>, <c>ce-source</c>, <c>ce-type</c> and <c>ce-id</c> are present (the body is the event data);
/// structured mode when the JSON body has all of <c>time</c>, <c>type</c>, <c>source</c>, <c>id</c>,
/// <c>specversion</c> and <c>data</c> (the model gets <c>data</c>). The answer is a CloudEvent when the request was a
/// binary one, or when its content type was exactly <c>application/cloudevents+json</c>.
/// </summary>
internal sealed class CloudEventRequest
{
    public const string StructuredContentType = "application/cloudevents+json";
    private const string HeaderPrefix = "ce-";
    private static readonly string[] BinaryHeaders = ["ce-specversion", "ce-source", "ce-type", "ce-id"];
    private static readonly string[] StructuredFields = ["time", "type", "source", "id", "specversion", "data"];

    private CloudEventRequest(
        CloudEventMode mode, bool answerAsEvent, int dataStart, int dataLength, List<KeyValuePair<string, JsonElement>> attributes, bool dataIsJson = true)
    {
        DataIsJson = dataIsJson;
        Mode = mode;
        AnswerAsEvent = answerAsEvent;
        DataStart = dataStart;
        DataLength = dataLength;
        Attributes = attributes;
    }

    /// <summary>How the request carried an event.</summary>
    public CloudEventMode Mode { get; }

    /// <summary>Whether the response must be a CloudEvent (binary for binary requests, else structured).</summary>
    public bool AnswerAsEvent { get; }

    /// <summary>Where the model's payload starts in the body.</summary>
    public int DataStart { get; }

    /// <summary>
    /// Whether the payload is JSON (a V1 body). Binary-mode data that does not parse as JSON goes to the model as raw
    /// bytes, as KServe hands it over.
    /// </summary>
    public bool DataIsJson { get; }

    /// <summary>The model's payload length in bytes.</summary>
    public int DataLength { get; }

    /// <summary>The request event's attributes and extensions (without <c>data</c>), for <c>CE_MERGE</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonElement>> Attributes { get; }

    /// <summary>
    /// Reads the event framing of a request. Null — the common case, so no allocation — means a plain request that gets a
    /// plain answer; <see cref="CloudEventMode.None"/> means a plain body sent as <c>application/cloudevents+json</c>,
    /// answered as an event. Structured events are only looked for in bodies whose content type makes them JSON
    /// (<paramref name="bodyIsJson"/>).
    /// </summary>
    /// <exception cref="InferenceException">Binary-mode data that claims to be JSON but does not parse.</exception>
    public static CloudEventRequest? Read(IHeaderDictionary headers, string? contentType, bool bodyIsJson, ReadOnlySpan<byte> body)
    {
        var structuredType = string.Equals(contentType, StructuredContentType, StringComparison.Ordinal);
        if (IsBinary(headers))
        {
            return ReadBinary(headers, contentType, body);
        }

        // Cheap test first: an ordinary V1 body has no "specversion" key (and then costs no allocation).
        if (bodyIsJson && body.IndexOf("\"specversion\""u8) >= 0 && TryReadStructured(body, out var start, out var length, out var attributes))
        {
            return new CloudEventRequest(CloudEventMode.Structured, structuredType, start, length, attributes);
        }

        return structuredType ? new CloudEventRequest(CloudEventMode.None, answerAsEvent: true, 0, body.Length, []) : null;
    }

    private static bool IsBinary(IHeaderDictionary headers)
    {
        foreach (var name in BinaryHeaders)
        {
            if (!headers.ContainsKey(name))
            {
                return false;
            }
        }

        return true;
    }

    private static CloudEventRequest ReadBinary(IHeaderDictionary headers, string? contentType, ReadOnlySpan<byte> body)
    {
        var attributes = new List<KeyValuePair<string, JsonElement>>();
        foreach (var (name, value) in headers)
        {
            if (name.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > HeaderPrefix.Length)
            {
                attributes.Add(new(name[HeaderPrefix.Length..].ToLowerInvariant(), CloudEventJsonContext.StringElement(value.ToString())));
            }
        }

        if (contentType is not null)
        {
            attributes.Add(new("datacontenttype", CloudEventJsonContext.StringElement(contentType)));
        }

        var isJson = true;
        try
        {
            var reader = new Utf8JsonReader(body);
            reader.Read();
            reader.Skip();
            if (reader.Read())
            {
                throw new JsonException("unexpected data after the JSON value");
            }
        }
        catch (JsonException e)
        {
            if (ClaimsJson(contentType))
            {
                throw InferenceException.InvalidInput($"Failed to decode or parse binary json cloudevent: {e.Message}");
            }

            isJson = false;
        }

        return new CloudEventRequest(CloudEventMode.Binary, answerAsEvent: true, 0, body.Length, attributes, isJson);
    }

    private static bool ClaimsJson(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        mediaType = (semicolon >= 0 ? mediaType[..semicolon] : mediaType).Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals(StructuredContentType, StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryReadStructured(
        ReadOnlySpan<byte> body, out int dataStart, out int dataLength, out List<KeyValuePair<string, JsonElement>> attributes)
    {
        dataStart = dataLength = 0;
        attributes = [];
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var found = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var index = Array.IndexOf(StructuredFields, name);
                if (index >= 0)
                {
                    found |= 1 << index;
                }

                if (name == "data")
                {
                    dataStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    dataLength = (int)reader.BytesConsumed - dataStart;
                }
                else
                {
                    attributes.Add(new(name, JsonElement.ParseValue(ref reader)));
                }
            }

            return found == (1 << StructuredFields.Length) - 1;
        }
        catch (JsonException)
        {
            // Not JSON at all: the V1 decoder reports it in KServe's words.
            return false;
        }
        catch (InvalidOperationException)
        {
            // A property name that is not UTF-8 (the reader checks a name's bytes only when it transcodes them): not an
            // event envelope; the V1 decoder reports whatever in the body it cannot read.
            return false;
        }
    }
}
