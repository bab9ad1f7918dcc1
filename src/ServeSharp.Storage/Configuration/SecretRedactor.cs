using System.Text.Json;
using System.Text.RegularExpressions;

namespace ServeSharp.Storage.Configuration;

/// <summary>
/// Removes credential values from text before it is logged or thrown: the secret environment variables KServe
/// injects, header values of <c>&lt;host&gt;-headers</c> secrets, account keys inside connection strings, and
/// query strings / user info of URIs (SAS tokens, presigned URLs).
/// </summary>
public sealed partial class SecretRedactor
{
    private const string Mask = "***";

    private static readonly string[] SecretVariables =
    [
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID",
        "AZURE_STORAGE_ACCESS_KEY", "AZURE_CLIENT_SECRET", "AZ_CLIENT_SECRET", "AZURE_ACCESS_TOKEN",
        "AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_SAS_TOKEN",
        "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "GIT_PASSWORD", "MODELSCOPE_API_TOKEN", "STORAGE_CONFIG", "STORAGE_OVERRIDE_CONFIG",
    ];

    private readonly string[] _secrets;

    private SecretRedactor(IEnumerable<string> secrets)
    {
        // Longest first so a secret containing another is masked whole; very short values would mask noise.
        _secrets = secrets.Where(s => s.Length >= 4).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();
    }

    /// <summary>A redactor that only rewrites URIs and connection-string keys.</summary>
    public static SecretRedactor None { get; } = new([]);

    /// <summary>Collects the secret values present in <paramref name="environment"/>.</summary>
    public static SecretRedactor For(StorageEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var secrets = new List<string>();
        foreach (var name in SecretVariables)
        {
            if (environment.Get(name) is { } value)
            {
                secrets.Add(value);
                secrets.AddRange(ConnectionStringSecrets(value));
                secrets.AddRange(JsonStringValues(value));
            }
        }

        foreach (var (name, value) in environment.Variables)
        {
            if (name.EndsWith("-headers", StringComparison.Ordinal))
            {
                secrets.AddRange(JsonStringValues(value));
            }
        }

        return new SecretRedactor(secrets);
    }

    /// <summary>Returns <paramref name="text"/> with every known secret, URI query and user info masked.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        text = UserInfoPattern().Replace(text, "$1" + Mask + "@");
        text = QueryPattern().Replace(text, "$1?" + Mask);
        text = AccountKeyPattern().Replace(text, "$1" + Mask);
        return text;
    }

    /// <summary>A display form of <paramref name="uri"/> without query string or user info.</summary>
    public static string RedactUri(string uri) => None.Redact(uri);

    private static IEnumerable<string> ConnectionStringSecrets(string value)
    {
        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                var key = part[..eq].Trim();
                if (key.Equals("AccountKey", StringComparison.OrdinalIgnoreCase)
                    || key.Equals("SharedAccessSignature", StringComparison.OrdinalIgnoreCase))
                {
                    yield return part[(eq + 1)..].Trim();
                }
            }
        }
    }

    private static List<string> JsonStringValues(string value)
    {
        var values = new List<string>();
        if (!value.TrimStart().StartsWith('{'))
        {
            return values;
        }

        try
        {
            using var document = JsonDocument.Parse(value);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { } s)
                {
                    values.Add(s);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the whole value is already masked where it is a known secret variable.
        }

        return values;
    }

    [GeneratedRegex(@"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")]
    private static partial Regex UserInfoPattern();

    [GeneratedRegex(@"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?'""]*)\?[^\s'""]+")]
    private static partial Regex QueryPattern();

    [GeneratedRegex(@"((?:AccountKey|SharedAccessSignature)=)[^;\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex AccountKeyPattern();
}
