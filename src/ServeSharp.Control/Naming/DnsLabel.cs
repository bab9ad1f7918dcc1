using System.Text.RegularExpressions;

namespace ServeSharp.Control.Naming;

/// <summary>RFC 1123 label check (<c>validation.IsDNS1123Label</c>).</summary>
public static partial class DnsLabel
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    /// <summary>True for a valid label of at most 63 characters.</summary>
    public static bool IsValid(string value) => value.Length is > 0 and <= 63 && Label().IsMatch(value);
}
