using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ServeSharp.Storage.Configuration;

/// <summary>
/// <c>STORAGE_ALLOW_PATTERNS</c> / <c>STORAGE_IGNORE_PATTERNS</c>: fnmatch-style globs (JSON array or comma list)
/// matched against each file's path relative to the model root. <c>*</c> also matches <c>/</c>, as in Python's
/// fnmatch; a pattern ending in <c>/</c> matches everything under that folder (huggingface_hub's rule).
/// </summary>
public sealed class PathPatternFilter
{
    private readonly Regex[] _allow;
    private readonly Regex[] _ignore;

    /// <summary>Creates a filter; empty <paramref name="allow"/> allows everything.</summary>
    public PathPatternFilter(IEnumerable<string> allow, IEnumerable<string> ignore)
    {
        ArgumentNullException.ThrowIfNull(allow);
        ArgumentNullException.ThrowIfNull(ignore);
        _allow = allow.Select(Compile).ToArray();
        _ignore = ignore.Select(Compile).ToArray();
    }

    /// <summary>A filter that keeps every path.</summary>
    public static PathPatternFilter All { get; } = new([], []);

    /// <summary>True when no pattern is configured.</summary>
    public bool IsEmpty => _allow.Length == 0 && _ignore.Length == 0;

    /// <summary>Reads both variables from <paramref name="environment"/>.</summary>
    public static PathPatternFilter FromEnvironment(StorageEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new PathPatternFilter(
            Parse("STORAGE_ALLOW_PATTERNS", environment.Get("STORAGE_ALLOW_PATTERNS")),
            Parse("STORAGE_IGNORE_PATTERNS", environment.Get("STORAGE_IGNORE_PATTERNS")));
    }

    /// <summary>True when <paramref name="relativePath"/> is allowed and not ignored.</summary>
    public bool Includes(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        if (_allow.Length > 0 && !_allow.Any(p => p.IsMatch(relativePath)))
        {
            return false;
        }

        return !_ignore.Any(p => p.IsMatch(relativePath));
    }

    private static IReadOnlyList<string> Parse(string variable, string? raw)
    {
        if (raw is null)
        {
            return [];
        }

        var trimmed = raw.Trim();
        if (trimmed.StartsWith('['))
        {
            try
            {
                return JsonSerializer.Deserialize(trimmed, PatternListJsonContext.Default.StringArray)?.Where(p => !string.IsNullOrWhiteSpace(p)).ToArray() ?? [];
            }
            catch (JsonException)
            {
                throw new StorageException(StorageErrorKind.Configuration, $"{variable} must be a JSON array of strings or a comma-separated list, got '{raw}'.");
            }
        }

        return trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static Regex Compile(string pattern)
    {
        if (pattern.EndsWith('/'))
        {
            pattern += "*";
        }

        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 2);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    var set = pattern[(i + 1)..close];
                    regex.Append('[');
                    if (set.StartsWith('!'))
                    {
                        regex.Append('^');
                        set = set[1..];
                    }

                    regex.Append(set.Replace(@"\", @"\\", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }
}
