using System.Globalization;
using System.Text.Json;

namespace ServeSharp.Storage.Configuration;

/// <summary>
/// The <c>storage:</c> spec form of credentials: the controller injects the secret's JSON as <c>STORAGE_CONFIG</c>
/// and the spec's parameters as <c>STORAGE_OVERRIDE_CONFIG</c>; for <c>type: s3</c> the keys become the usual
/// S3 environment variables (KServe's <c>_update_with_storage_spec</c>).
/// </summary>
public static class StorageSpecConfig
{
    private static readonly (string Variable, string Key)[] S3Keys =
    [
        ("AWS_ENDPOINT_URL", "endpoint_url"),
        ("AWS_ACCESS_KEY_ID", "access_key_id"),
        ("AWS_SECRET_ACCESS_KEY", "secret_access_key"),
        ("AWS_DEFAULT_REGION", "region"),
        ("AWS_CA_BUNDLE", "ca_bundle"),
        ("S3_VERIFY_SSL", "verify_ssl"),
        ("awsAnonymousCredential", "anonymous"),
    ];

    /// <summary>Returns <paramref name="environment"/> with the storage spec applied (unchanged when absent).</summary>
    public static StorageEnvironment Apply(StorageEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var config = ReadObject(environment, "STORAGE_CONFIG");
        foreach (var (key, value) in ReadObject(environment, "STORAGE_OVERRIDE_CONFIG"))
        {
            config[key] = value;
        }

        if (!config.TryGetValue("type", out var type) || !string.Equals(type, "s3", StringComparison.Ordinal))
        {
            return environment;
        }

        var overrides = new List<KeyValuePair<string, string>>();
        foreach (var (variable, key) in S3Keys)
        {
            if (config.TryGetValue(key, out var value))
            {
                overrides.Add(new(variable, value));
            }
        }

        return environment.With(overrides);
    }

    private static Dictionary<string, string> ReadObject(StorageEnvironment environment, string variable)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var raw = environment.Get(variable);
        if (raw is null)
        {
            return result;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(raw);
        }
        catch (JsonException ex)
        {
            // The value holds credentials: report where it is broken, never what it contains.
            throw new StorageException(
                StorageErrorKind.Configuration,
                $"{variable} is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new StorageException(StorageErrorKind.Configuration, $"{variable} must be a JSON object.");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var text = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Number => property.Value.GetRawText(),
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
                if (text is not null)
                {
                    result[property.Name] = text.ToString(CultureInfo.InvariantCulture);
                }
            }
        }

        return result;
    }
}
