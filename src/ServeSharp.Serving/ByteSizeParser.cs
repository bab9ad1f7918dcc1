using System.Globalization;

namespace ServeSharp.Serving;

/// <summary>Parses byte counts such as <c>67108864</c>, <c>64m</c>, <c>64MiB</c>, <c>1g</c> (suffixes are powers of 1024).</summary>
internal static class ByteSizeParser
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim();
        var end = 0;
        while (end < s.Length && char.IsAsciiDigit(s[end]))
        {
            end++;
        }

        if (end == 0 || !long.TryParse(s.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        long multiplier = s[end..].ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1024,
            "M" or "MB" or "MIB" => 1024 * 1024,
            "G" or "GB" or "GIB" => 1024 * 1024 * 1024,
            _ => 0,
        };
        if (multiplier == 0)
        {
            return false;
        }

        try
        {
            bytes = checked(number * multiplier);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
