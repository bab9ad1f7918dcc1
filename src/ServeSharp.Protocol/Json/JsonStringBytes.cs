using System.Text.Json;

namespace ServeSharp.Protocol.Json;

/// <summary>Reads the current JSON string token as UTF-8 bytes without an intermediate <see cref="string"/> when possible.</summary>
internal static class JsonStringBytes
{
    public static byte[] Read(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return reader.ValueSpan.ToArray();
        }

        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var buffer = new byte[length];
        var written = JsonStrings.Copy(ref reader, buffer);
        return written == length ? buffer : buffer.AsSpan(0, written).ToArray();
    }
}
