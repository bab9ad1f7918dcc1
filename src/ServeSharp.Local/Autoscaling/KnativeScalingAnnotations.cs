using System.Globalization;
using System.Text.RegularExpressions;

namespace ServeSharp.Local.Autoscaling;

/// <summary>
/// Knative's per-revision autoscaling annotations, which KServe passes from the InferenceService to the revision:
/// <c>autoscaling.knative.dev/initial-scale</c> (0 allowed, as with <c>allow-zero-initial-scale: true</c>),
/// <c>window</c> (6s..1h), <c>scale-down-delay</c> (0..1h), <c>scale-to-zero-pod-retention-period</c> (0..1h),
/// <c>panic-window-percentage</c> (1..100), <c>panic-threshold-percentage</c> (110..1000) and
/// <c>target-utilization-percentage</c> (1..100). Durations use Go's syntax (<c>90s</c>, <c>1m30s</c>, <c>500ms</c>).
/// </summary>
public static partial class KnativeScalingAnnotations
{
    private const string Prefix = "autoscaling.knative.dev/";

    /// <summary>Applies the annotations to <paramref name="spec"/>; throws <see cref="ArgumentException"/> naming a bad value.</summary>
    public static AutoscalerSpec Apply(AutoscalerSpec spec, IDictionary<string, string>? annotations)
    {
        if (annotations is null)
        {
            return spec;
        }

        foreach (var (key, value) in annotations.Where(a => a.Key.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            spec = key[Prefix.Length..] switch
            {
                "initial-scale" or "initialScale" => spec with { InitialScale = Integer(key, value, 0, int.MaxValue) },
                "window" => spec with { StableWindow = Duration(key, value, TimeSpan.FromSeconds(6), TimeSpan.FromHours(1)) },
                "scale-down-delay" => spec with { ScaleDownDelay = Duration(key, value, TimeSpan.Zero, TimeSpan.FromHours(1)) },
                "scale-to-zero-pod-retention-period" => spec with { ScaleToZeroGracePeriod = Duration(key, value, TimeSpan.Zero, TimeSpan.FromHours(1)) },
                "panic-window-percentage" => spec with { PanicWindowFraction = Integer(key, value, 1, 100) / 100.0 },
                "panic-threshold-percentage" => spec with { PanicThreshold = Integer(key, value, 110, 1000) / 100.0 },
                "target-utilization-percentage" => spec with { TargetUtilization = Integer(key, value, 1, 100) / 100.0 },
                _ => spec,
            };
        }

        return spec;
    }

    /// <summary>Parses a Go duration (<c>1h2m3s</c>, <c>500ms</c>, <c>1.5s</c>).</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        var match = GoDuration().Match(text);
        if (!match.Success || text.Length == 0)
        {
            return null;
        }

        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value.TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.');
            var number = double.Parse(part.Value[..^unit.Length], CultureInfo.InvariantCulture);
            total += unit switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                _ => TimeSpan.FromMilliseconds(number),
            };
        }

        return total;
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|h|m|s))+$")]
    private static partial Regex GoDuration();

    private static int Integer(string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"annotation {key}: \"{value}\" must be an integer in {min}..{(max == int.MaxValue ? "∞" : max.ToString(CultureInfo.InvariantCulture))}");

    private static TimeSpan Duration(string key, string value, TimeSpan min, TimeSpan max) =>
        ParseDuration(value) is { } d && d >= min && d <= max
            ? d
            : throw new ArgumentException($"annotation {key}: \"{value}\" must be a duration (e.g. 60s, 1m30s) in {min.TotalSeconds:0.###}s..{max.TotalSeconds:0.###}s");
}
