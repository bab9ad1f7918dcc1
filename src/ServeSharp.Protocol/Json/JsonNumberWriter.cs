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
    /// <summary>
    /// Integral values below this have at most 15 significant digits, all of which the shortest round-trip form
    /// keeps, in plain notation: it is the integer's digits.
    /// </summary>
    private const double IntegralLimit = 1e15;

    /// <summary>The longest text <see cref="Format"/> writes.</summary>
    public const int MaxLength = 40;

    /// <summary>Writes <paramref name="value"/> as a JSON number (or null when not finite).</summary>
    public static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        writer.WriteRawValue(buffer[..Format(value, buffer)], skipInputValidation: true);
    }

    /// <summary>
    /// Formats <paramref name="value"/> as <see cref="WriteDouble"/> writes it (<c>null</c> when not finite) into
    /// <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes); returns the length.
    /// </summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value))
        {
            "null"u8.CopyTo(destination);
            return 4;
        }

        int written;
        if (Math.Abs(value) < IntegralLimit && value == Math.Truncate(value) && (value != 0 || !double.IsNegative(value)))
        {
            // Integral values (class labels, counts): integer formatting writes the same digits without the general
            // float algorithm. -0.0 ("-0.0") and larger values take the general path.
            ((long)value).TryFormat(destination, out written, default, CultureInfo.InvariantCulture);
            destination[written++] = (byte)'.';
            destination[written++] = (byte)'0';
            return written;
        }

        value.TryFormat(destination, out written, "R", CultureInfo.InvariantCulture);
        if (destination[..written].IndexOfAny((byte)'.', (byte)'E') < 0)
        {
            destination[written++] = (byte)'.';
            destination[written++] = (byte)'0';
        }

        return written;
    }
}
