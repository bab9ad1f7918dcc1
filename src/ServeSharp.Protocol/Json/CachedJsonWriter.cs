using System.Buffers;
using System.Text.Json;

namespace ServeSharp.Protocol.Json;

/// <summary>
/// One reusable <see cref="Utf8JsonWriter"/> per thread for the response encoders: a new writer per response was
/// about 140 bytes of garbage per request. Rent, write, Return (which flushes); a writer rented while another is out
/// is simply a new one.
/// </summary>
internal static class CachedJsonWriter
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>A writer with <see cref="JsonWriterSettings.Options"/> that writes to <paramref name="output"/>.</summary>
    public static Utf8JsonWriter Rent(IBufferWriter<byte> output)
    {
        var writer = t_writer;
        if (writer is null)
        {
            return new Utf8JsonWriter(output, JsonWriterSettings.Options);
        }

        t_writer = null;
        writer.Reset(output);
        return writer;
    }

    /// <summary>Flushes <paramref name="writer"/> to its output and keeps it for the thread's next response.</summary>
    public static void Return(Utf8JsonWriter writer)
    {
        writer.Flush();
        t_writer = writer;
    }
}
