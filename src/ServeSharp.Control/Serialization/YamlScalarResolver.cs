using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ServeSharp.Control.Serialization;

/// <summary>
/// Resolves plain (unquoted) YAML scalars the way kubectl does: <c>sigs.k8s.io/yaml</c> converts YAML to JSON with
/// go-yaml v2, i.e. YAML 1.1 rules (<c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c> are booleans, <c>0777</c> is octal, <c>~</c> is null).
/// </summary>
public static partial class YamlScalarResolver
{
    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9_]*)$")]
    private static partial Regex DecimalInt();

    [GeneratedRegex(@"^[-+]?0x[0-9a-fA-F_]+$")]
    private static partial Regex HexInt();

    [GeneratedRegex(@"^[-+]?0[0-7_]+$")]
    private static partial Regex OctalInt();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    [GeneratedRegex(@"^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$")]
    private static partial Regex SpecialFloat();

    private static readonly HashSet<string> Nulls = ["", "~", "null", "Null", "NULL"];
    private static readonly HashSet<string> Trues = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"];
    private static readonly HashSet<string> Falses = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];

    /// <summary>The JSON value of a plain scalar (null for YAML null).</summary>
    public static JsonNode? Resolve(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Nulls.Contains(text))
        {
            return null;
        }
        if (Trues.Contains(text))
        {
            return JsonValue.Create(true);
        }
        if (Falses.Contains(text))
        {
            return JsonValue.Create(false);
        }
        var clean = text.Replace("_", "", StringComparison.Ordinal);
        if (DecimalInt().IsMatch(text) && long.TryParse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }
        if (HexInt().IsMatch(text))
        {
            var negative = clean.StartsWith('-');
            var digits = clean.TrimStart('+', '-')[2..];
            if (long.TryParse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var h))
            {
                return JsonValue.Create(negative ? -h : h);
            }
        }
        if (OctalInt().IsMatch(text))
        {
            try
            {
                var negative = clean.StartsWith('-');
                var value = Convert.ToInt64(clean.TrimStart('+', '-'), 8);
                return JsonValue.Create(negative ? -value : value);
            }
            catch (OverflowException)
            {
                return JsonValue.Create(text);
            }
        }
        if (Float().IsMatch(text) && double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }
        return JsonValue.Create(text);
    }

    /// <summary>True when a string written plain would not read back as the same string.</summary>
    public static bool NeedsQuotes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var resolved = Resolve(text);
        if (resolved is null || resolved.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return true;
        }
        return char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]) || SpecialFloat().IsMatch(text);
    }
}
