using System.Buffers;
using System.Text.Json;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.Errors;

/// <summary>Writes KServe's error body <c>{"error":"&lt;message&gt;"}</c>.</summary>
public static class ErrorJson
{
    /// <summary>Writes the error body for <paramref name="message"/>.</summary>
    public static void Write(IBufferWriter<byte> output, string message)
    {
        using var writer = new Utf8JsonWriter(output, JsonWriterSettings.Options);
        writer.WriteStartObject();
        writer.WriteString("error"u8, message);
        writer.WriteEndObject();
    }

    /// <summary>The error body as bytes.</summary>
    public static byte[] ToBytes(string message)
    {
        var buffer = new ArrayBufferWriter<byte>(message.Length + 16);
        Write(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }
}
