using System.Globalization;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Sources.Azure;

/// <summary>
/// Picks the Azure credential the way KServe does, plus the connection-string and SAS forms: a connection string
/// (<c>AZURE_STORAGE_CONNECTION_STRING</c>), a service principal (<c>AZURE_CLIENT_ID</c> or legacy <c>AZ_CLIENT_ID</c>),
/// a bearer token (<c>AZURE_ACCESS_TOKEN</c>), an account key (<c>AZURE_STORAGE_ACCESS_KEY</c>), a SAS in the URI's
/// query, else anonymous access. <c>AZURE_SERVICE_URL</c> overrides the account endpoint (emulators, sovereign clouds).
/// </summary>
internal static class AzureBlobClientFactory
{
    public static BlobServiceClient Create(AzureBlobLocation location, StorageEnvironment environment, HttpClient http, TimeProvider time, TimeSpan readTimeout)
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = readTimeout;

        if (environment.Get("AZURE_STORAGE_CONNECTION_STRING") is { } connectionString)
        {
            try
            {
                return new BlobServiceClient(connectionString, options);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                throw new StorageException(StorageErrorKind.Configuration, "AZURE_STORAGE_CONNECTION_STRING is not a valid Azure Storage connection string.");
            }
        }

        var serviceUrl = environment.Get("AZURE_SERVICE_URL") ?? $"https://{location.Host}";
        if (!Uri.TryCreate(serviceUrl.TrimEnd('/') + "/", UriKind.Absolute, out var serviceUri))
        {
            throw new StorageException(StorageErrorKind.Configuration, $"AZURE_SERVICE_URL '{serviceUrl}' is not an absolute URL.");
        }

        var clientId = environment.Get("AZURE_CLIENT_ID") ?? environment.Get("AZ_CLIENT_ID");
        if (clientId is not null)
        {
            var tenant = environment.Get("AZURE_TENANT_ID") ?? environment.Get("AZ_TENANT_ID");
            var secret = environment.Get("AZURE_CLIENT_SECRET") ?? environment.Get("AZ_CLIENT_SECRET");
            if (tenant is null || secret is null)
            {
                throw new StorageException(
                    StorageErrorKind.Configuration,
                    "AZURE_CLIENT_ID is set, so AZURE_TENANT_ID and AZURE_CLIENT_SECRET are needed too (workload identity is not supported yet).");
            }

            var authority = new Uri((environment.Get("AZURE_AUTHORITY_HOST") ?? "https://login.microsoftonline.com").TrimEnd('/') + "/");
            return new BlobServiceClient(serviceUri, new ClientSecretTokenCredential(authority, tenant, clientId, secret, http, time), options);
        }

        if (environment.Get("AZURE_ACCESS_TOKEN") is { } token)
        {
            var expires = long.TryParse(environment.Get("AZURE_ACCESS_EXPIRES_ON_SECONDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : time.GetUtcNow().AddHours(1);
            return new BlobServiceClient(serviceUri, new StaticTokenCredential(token, expires), options);
        }

        if (environment.Get("AZURE_STORAGE_ACCESS_KEY") is { } key)
        {
            var account = environment.Get("AZURE_ACCOUNT_NAME") ?? location.Account;
            try
            {
                return new BlobServiceClient(serviceUri, new StorageSharedKeyCredential(account, key), options);
            }
            catch (FormatException)
            {
                throw new StorageException(StorageErrorKind.Configuration, "AZURE_STORAGE_ACCESS_KEY is not a valid base64 account key.");
            }
        }

        if (location.Sas is { } sas)
        {
            return new BlobServiceClient(serviceUri, new AzureSasCredential(sas), options);
        }

        // KServe: "Azure credentials or shared access signature token not found, retrying anonymous access".
        return new BlobServiceClient(serviceUri, options);
    }
}
