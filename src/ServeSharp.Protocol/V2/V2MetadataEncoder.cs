using System.Buffers;
using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.V2;

/// <summary>Writes the small V1/V2 REST bodies: health, server and model metadata, model lists, repository results.</summary>
public static class V2MetadataEncoder
{
    /// <summary><c>{"name":..,"version":..,"extensions":[..]}</c>.</summary>
    public static void WriteServerMetadata(IBufferWriter<byte> output, string name, string version, IReadOnlyList<string> extensions)
    {
        using var writer = new Utf8JsonWriter(output, JsonWriterSettings.Options);
        writer.WriteStartObject();
        writer.WriteString("name"u8, name);
        writer.WriteString("version"u8, version);
        writer.WriteStartArray("extensions"u8);
        foreach (var extension in extensions)
        {
            writer.WriteStringValue(extension);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>KServe's model metadata: <c>{"name","versions","platform","inputs","outputs"}</c> (versions null when unversioned).</summary>
    public static void WriteModelMetadata(IBufferWriter<byte> output, string name, ModelMetadata metadata)
    {
        using var writer = new Utf8JsonWriter(output, JsonWriterSettings.Options);
        writer.WriteStartObject();
        writer.WriteString("name"u8, name);
        if (metadata.Versions is null)
        {
            writer.WriteNull("versions"u8);
        }
        else
        {
            writer.WriteStartArray("versions"u8);
            foreach (var version in metadata.Versions)
            {
                writer.WriteStringValue(version);
            }

            writer.WriteEndArray();
        }

        writer.WriteString("platform"u8, metadata.Platform);
        WriteTensors(writer, "inputs"u8, metadata.Inputs);
        WriteTensors(writer, "outputs"u8, metadata.Outputs);
        writer.WriteEndObject();
    }

    /// <summary><c>{"&lt;key&gt;":&lt;value&gt;}</c>, e.g. <c>{"live":true}</c>.</summary>
    public static void WriteFlag(IBufferWriter<byte> output, ReadOnlySpan<byte> key, bool value)
    {
        using var writer = new Utf8JsonWriter(output, JsonWriterSettings.Options);
        writer.WriteStartObject();
        writer.WriteBoolean(key, value);
        writer.WriteEndObject();
    }

    /// <summary><c>{"name":..,"&lt;key&gt;":&lt;value&gt;}</c>, e.g. <c>{"name":"m","ready":true}</c> or <c>{"name":"m","load":true}</c>.</summary>
    public static void WriteNamedFlag(IBufferWriter<byte> output, string name, ReadOnlySpan<byte> key, bool value)
    {
        using var writer = new Utf8JsonWriter(output, JsonWriterSettings.Options);
        writer.WriteStartObject();
        writer.WriteString("name"u8, name);
        writer.WriteBoolean(key, value);
        writer.WriteEndObject();
    }

    /// <summary><c>{"models":[...]}</c>.</summary>
    public static void WriteModelList(IBufferWriter<byte> output, IEnumerable<string> names)
    {
        using var writer = new Utf8JsonWriter(output, JsonWriterSettings.Options);
        writer.WriteStartObject();
        writer.WriteStartArray("models"u8);
        foreach (var name in names)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The repository index: a JSON array of <c>{"name","version"?,"state","reason"}</c> (Triton/MLServer form).</summary>
    public static void WriteRepositoryIndex(IBufferWriter<byte> output, IEnumerable<RepositoryIndexEntry> entries)
    {
        using var writer = new Utf8JsonWriter(output, JsonWriterSettings.Options);
        writer.WriteStartArray();
        foreach (var entry in entries)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, entry.Name);
            if (entry.Version is not null)
            {
                writer.WriteString("version"u8, entry.Version);
            }

            writer.WriteString("state"u8, entry.State);
            writer.WriteString("reason"u8, entry.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Reads the optional <c>{"ready": bool}</c> body of <c>POST /v2/repository/index</c> (empty body = false).</summary>
    public static bool ReadIndexReadyFilter(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(body, JsonWriterSettings.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw InferenceException.InvalidInput("The repository index body must be a JSON object like {\"ready\": true}.");
            }

            var ready = false;
            while (JsonStrings.ReadPropertyName(ref reader))
            {
                var isReady = reader.ValueTextEquals("ready"u8);
                reader.Read();
                if (isReady)
                {
                    ready = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False or JsonTokenType.Null => false,
                        _ => throw InferenceException.InvalidInput("'ready' in the repository index body must be a boolean."),
                    };
                }
                else
                {
                    reader.Skip();
                }
            }

            return ready;
        }
        catch (JsonException e)
        {
            throw InferenceException.InvalidInput($"Unrecognized request format: {e.Message}");
        }
    }

    private static void WriteTensors(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<TensorMetadata> tensors)
    {
        writer.WriteStartArray(name);
        foreach (var tensor in tensors)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, tensor.Name);
            writer.WriteString("datatype"u8, tensor.DataType.ToWireName());
            writer.WriteStartArray("shape"u8);
            foreach (var dim in tensor.Shape)
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
