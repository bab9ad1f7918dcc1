using System.Globalization;

namespace ServeSharp.Control.Serialization;

/// <summary>Parses durations with Go's <c>time.ParseDuration</c> grammar ("300ms", "-1.5h", "2h45m"), as Kubernetes does.</summary>
public static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> holds Go's message.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = TimeSpan.Zero;
        error = "";
        var original = text;
        var s = text;
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0")
        {
            return true;
        }
        if (s.Length == 0)
        {
            error = $"time: invalid duration \"{original}\"";
            return false;
        }
        double ticks = 0;
        while (s.Length > 0)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == 0 || !double.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"time: invalid duration \"{original}\"";
                return false;
            }
            s = s[i..];
            var j = 0;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.')
            {
                j++;
            }
            var unit = s[..j];
            s = s[j..];
            if (unit.Length == 0)
            {
                error = $"time: missing unit in duration \"{original}\"";
                return false;
            }
            var match = Array.Find(Units, u => u.Unit == unit);
            if (match.Unit is null)
            {
                error = $"time: unknown unit \"{unit}\" in duration \"{original}\"";
                return false;
            }
            ticks += number * match.Ticks;
        }
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            error = $"time: invalid duration \"{original}\"";
            return false;
        }
        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }
}
