using System.Globalization;
using System.Text.Json;

namespace ServeSharp.Protocol.Json;

/// <summary>
/// Writes floating-point numbers the way KServe's orjson does: the shortest round-trip form of the double,
/// with <c>.0</c> on integral values (<c>6.0</c>, not <c>6</c>), FP32 written as the double value of the float
/// (<c>6.8f</c> → <c>6.800000190734863</c>), and NaN/±Infinity as <c>null</c>.
/// </summary>
public static class JsonNumberWriter
{
    /// <summary>Writes <paramref name="value"/> as a JSON number (or null when not finite).</summary>
    public static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (!double.IsFinite(value))
        {
            writer.WriteNullValue();
            return;
        }

        Span<byte> buffer = stackalloc byte[40];
        value.TryFormat(buffer, out var written, "R", CultureInfo.InvariantCulture);
        if (buffer[..written].IndexOfAny((byte)'.', (byte)'E') < 0)
        {
            buffer[written++] = (byte)'.';
            buffer[written++] = (byte)'0';
        }

        writer.WriteRawValue(buffer[..written], skipInputValidation: true);
    }
}
