using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Tests.Fixtures;

/// <summary>Downloaders with fast retries so failure paths finish quickly.</summary>
public static class Downloaders
{
    public static StorageOptions FastOptions(int retries = 2) => new()
    {
        MaxRetryAttempts = retries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        ReadTimeout = TimeSpan.FromSeconds(10),
    };

    public static ModelDownloader Create(IDictionary<string, string>? environment = null, StorageOptions? options = null) =>
        new(options ?? FastOptions(), StorageEnvironment.From(environment ?? new Dictionary<string, string>()));
}
