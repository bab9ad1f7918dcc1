using System.Text.Json;
using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Sources.Http;

/// <summary>
/// KServe's per-host HTTP(S) credentials: the secret keys <c>https-host</c> and <c>headers</c> become the
/// environment variable <c>&lt;host&gt;-headers</c> holding a JSON object of request headers.
/// </summary>
internal static class HostHeaderSecrets
{
    public static IReadOnlyList<KeyValuePair<string, string>> For(StorageEnvironment environment, string host)
    {
        var variable = host + "-headers";
        var raw = environment.Get(variable);
        if (raw is null)
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(raw);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(variable);
            }

            return document.RootElement.EnumerateObject()
                .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()))
                .ToArray();
        }
        catch (JsonException)
        {
            // Never echo the value: it holds the credentials.
            throw Invalid(variable);
        }
    }

    private static StorageException Invalid(string variable) =>
        new(StorageErrorKind.Configuration, $"Environment variable {variable} must be a JSON object of header names to values.");
}
