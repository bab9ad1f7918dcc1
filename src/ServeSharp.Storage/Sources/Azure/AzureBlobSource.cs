using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ServeSharp.Storage.Configuration;
using ServeSharp.Storage.Transfer;

namespace ServeSharp.Storage.Sources.Azure;

/// <summary>
/// Azure Blob Storage as KServe's <c>_download_azure_blob</c>: every blob whose name starts with the prefix and is
/// not empty, saved under its name minus the prefix (a single blob equal to the prefix keeps its base name).
/// </summary>
internal sealed class AzureBlobSource : IStorageSource
{
    private readonly AzureBlobLocation _location;
    private readonly BlobContainerClient _container;

    public AzureBlobSource(string uri, StorageEnvironment environment, HttpClient http, TimeProvider time, TimeSpan readTimeout, int defaultConcurrency)
    {
        DisplayUri = SecretRedactor.RedactUri(uri);
        _location = AzureBlobLocation.Parse(uri);
        MaxConcurrency = environment.GetPositiveInt("AZURE_MAX_FILE_CONCURRENCY", defaultConcurrency);
        _container = AzureBlobClientFactory.Create(_location, environment, http, time, readTimeout).GetBlobContainerClient(_location.Container);
    }

    public string DisplayUri { get; }

    public int MaxConcurrency { get; }

    public bool ExtractsSingleArchive => true;

    public bool AppliesPatterns => true;

    public async Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken)
    {
        var files = new List<RemoteFile>();
        try
        {
            await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, _location.Prefix, cancellationToken).ConfigureAwait(false))
            {
                var size = blob.Properties.ContentLength ?? 0;
                if (size <= 0)
                {
                    continue;
                }

                var name = RemovePrefix(blob.Name);
                files.Add(new RemoteFile(blob.Name, name, size, blob.Properties.ETag?.ToString(), blob.Properties.ContentHash is { Length: 16 } md5 ? md5 : null));
            }
        }
        catch (RequestFailedException ex) when (!TransientErrors.IsTransientStatus(ex.Status) && ex.Status != 0)
        {
            throw Translate(ex, null);
        }

        return files;
    }

    public async Task<RemoteContent> OpenAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        try
        {
            var options = new BlobDownloadOptions();
            if (file.Version is not null)
            {
                options.Conditions = new() { IfMatch = new ETag(file.Version) };
            }

            var response = await _container.GetBlobClient(file.SourceKey).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
            var result = response.Value;
            var md5 = result.Details.BlobContentHash is { Length: 16 } hash ? hash : null;
            return new RemoteContent(result.Content, result.Details.ContentLength, md5, result);
        }
        catch (RequestFailedException ex) when (!TransientErrors.IsTransientStatus(ex.Status) && ex.Status != 0)
        {
            throw Translate(ex, file.SourceKey);
        }
    }

    public void Dispose()
    {
        // The pipeline's transport is shared and owned by the Azure SDK.
    }

    private string RemovePrefix(string name)
    {
        // Python: blob.name.replace(prefix, "", 1).lstrip("/"), falling back to the prefix's base name.
        var index = _location.Prefix.Length == 0 ? -1 : name.IndexOf(_location.Prefix, StringComparison.Ordinal);
        var rest = (index < 0 ? name : string.Concat(name.AsSpan(0, index), name.AsSpan(index + _location.Prefix.Length))).TrimStart('/');
        return rest.Length > 0 ? rest : _location.Prefix[(_location.Prefix.LastIndexOf('/') + 1)..];
    }

    private StorageException Translate(RequestFailedException ex, string? blob)
    {
        var what = blob is null ? DisplayUri : $"blob '{blob}' in container '{_location.Container}'";
        var code = ex.ErrorCode ?? ex.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ex.Status switch
        {
            401 or 403 => new StorageException(
                StorageErrorKind.AccessDenied,
                $"Access denied (HTTP {ex.Status} {code}) for {what}: check the Azure credentials (AZURE_STORAGE_ACCESS_KEY, AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID, connection string or SAS).",
                ex),
            404 when code == "ContainerNotFound" => new StorageException(StorageErrorKind.NotFound, $"Container '{_location.Container}' does not exist ({DisplayUri}).", ex),
            404 => new StorageException(StorageErrorKind.NotFound, $"{what} does not exist (HTTP 404 {code}).", ex),
            412 => new StorageException(StorageErrorKind.Transfer, $"{what} changed while the model was being downloaded; try again.", ex),
            _ => new StorageException(StorageErrorKind.Transfer, $"Azure request for {what} failed (HTTP {ex.Status} {code}).", ex),
        };
    }
}
