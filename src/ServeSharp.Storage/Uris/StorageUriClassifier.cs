using System.Text.RegularExpressions;
using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Uris;

/// <summary>
/// Dispatches a storage URI exactly as KServe's <c>Storage.download</c> does (first match wins): missing
/// <c>/mnt/pvc</c> path, local path or <c>file://</c>, <c>/mnt/models</c>, gs, s3, hdfs, Azure Blob, Azure File,
/// hf, modelscope, oci, git, plain http(s). <c>pvc://</c> (handled by the webhook in KServe) is checked first.
/// </summary>
public static partial class StorageUriClassifier
{
    /// <summary>Returns the handler kind or throws a <see cref="StorageException"/> for unsupported or unknown URIs.</summary>
    public static StorageUriKind Classify(string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        if (uri.StartsWith("pvc://", StringComparison.Ordinal))
        {
            return StorageUriKind.Pvc;
        }

        if (uri.StartsWith("/mnt/pvc", StringComparison.Ordinal) && !Path.Exists(uri))
        {
            throw new StorageException(StorageErrorKind.NotFound, $"Cannot locate source uri {uri} for PVC");
        }

        if (uri.StartsWith("file://", StringComparison.Ordinal) || Path.Exists(uri))
        {
            return StorageUriKind.Local;
        }

        if (uri.StartsWith("/mnt/models", StringComparison.Ordinal))
        {
            return StorageUriKind.ModelMount;
        }

        if (uri.StartsWith("gs://", StringComparison.Ordinal))
        {
            return StorageUriKind.Gcs;
        }

        if (uri.StartsWith("s3://", StringComparison.Ordinal))
        {
            return StorageUriKind.S3;
        }

        if (uri.StartsWith("hdfs://", StringComparison.Ordinal) || uri.StartsWith("webhdfs://", StringComparison.Ordinal))
        {
            throw NotSupported(uri[..uri.IndexOf(':', StringComparison.Ordinal)]);
        }

        if (AzureBlobPattern().IsMatch(uri))
        {
            return StorageUriKind.AzureBlob;
        }

        if (AzureFilePattern().IsMatch(uri))
        {
            throw NotSupported("azure-file-share");
        }

        if (uri.StartsWith("hf://", StringComparison.Ordinal))
        {
            return StorageUriKind.HuggingFace;
        }

        if (uri.StartsWith("modelscope://", StringComparison.Ordinal))
        {
            throw NotSupported("modelscope");
        }

        if (uri.StartsWith("oci://", StringComparison.Ordinal) || uri.StartsWith("oci+", StringComparison.Ordinal))
        {
            throw NotSupported("oci");
        }

        if (GitPattern().IsMatch(uri))
        {
            throw NotSupported("git");
        }

        if (HttpPattern().IsMatch(uri))
        {
            return StorageUriKind.Http;
        }

        throw new StorageException(
            StorageErrorKind.InvalidUri,
            $"Cannot recognize storage type for {SecretRedactor.RedactUri(uri)}\n'gs://', 's3://', 'file://', 'pvc://', 'http(s)://', 'hf://' and Azure Blob URLs are the current available storage types.");
    }

    private static StorageException NotSupported(string scheme) => new(StorageErrorKind.NotSupported, $"not supported yet: {scheme}");

    [GeneratedRegex(@"https://(.+?)\.blob\.core\.windows\.net/(.+)|https://(.+?)\.z[0-9]{1,2}\.blob\.storage\.azure\.net/(.+)")]
    private static partial Regex AzureBlobPattern();

    [GeneratedRegex(@"https://(.+?)\.file\.core\.windows\.net/(.+)|https://(.+?)\.z[0-9]{1,2}\.file\.storage\.azure\.net/(.+)")]
    private static partial Regex AzureFilePattern();

    [GeneratedRegex(@"^https://[^?#]+\.git/?$")]
    private static partial Regex GitPattern();

    [GeneratedRegex(@"https?://(.+)/(.+)")]
    private static partial Regex HttpPattern();
}
