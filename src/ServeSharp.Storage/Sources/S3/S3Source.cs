using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Sources.S3;

/// <summary>
/// <c>s3://bucket/path</c> as KServe's <c>_download_s3</c>: list with the raw string prefix (so <c>model</c> also
/// matches <c>model2/…</c>), skip keys ending in <c>/</c> and empty objects, take only the object when a key equals
/// the path exactly (saved under its base name), otherwise keep each key's remainder after the prefix.
/// </summary>
internal sealed class S3Source : IStorageSource
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _path;

    public S3Source(string uri, S3Settings settings, TimeSpan connectTimeout, TimeSpan readTimeout)
    {
        DisplayUri = SecretRedactor.RedactUri(uri);
        var rest = uri["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        _bucket = slash < 0 ? rest : rest[..slash];
        _path = slash < 0 ? string.Empty : rest[(slash + 1)..].TrimStart('/');
        if (_bucket.Length == 0)
        {
            throw new StorageException(StorageErrorKind.InvalidUri, $"No bucket name in {DisplayUri}");
        }

        MaxConcurrency = settings.MaxConcurrency;
        _client = S3ClientFactory.Create(settings, connectTimeout, readTimeout);
    }

    public string DisplayUri { get; }

    public int MaxConcurrency { get; }

    public bool ExtractsSingleArchive => true;

    public bool AppliesPatterns => true;

    public async Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken)
    {
        var files = new List<RemoteFile>();
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _path };
        try
        {
            do
            {
                var response = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
                foreach (var item in response.S3Objects ?? [])
                {
                    if (item.Key.EndsWith('/') || (item.Size ?? 0) == 0)
                    {
                        continue;
                    }

                    var etag = item.ETag?.Trim('"');
                    if (item.Key == _path)
                    {
                        // The exact object wins: download only it, under its base name.
                        return [new RemoteFile(item.Key, item.Key[(item.Key.LastIndexOf('/') + 1)..], item.Size, etag)];
                    }

                    files.Add(new RemoteFile(item.Key, item.Key[_path.Length..].TrimStart('/'), item.Size, etag));
                }

                request.ContinuationToken = response.NextContinuationToken;
                if (response.IsTruncated != true)
                {
                    break;
                }
            }
            while (request.ContinuationToken is not null);
        }
        catch (AmazonS3Exception ex) when (!Transfer.TransientErrors.IsTransientStatus((int)ex.StatusCode))
        {
            throw Translate(ex, null);
        }

        return files;
    }

    public async Task<RemoteContent> OpenAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(
                new GetObjectRequest { BucketName = _bucket, Key = file.SourceKey, EtagToMatch = file.Version is null ? null : $"\"{file.Version}\"" },
                cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (!Transfer.TransientErrors.IsTransientStatus((int)ex.StatusCode))
        {
            throw Translate(ex, file.SourceKey);
        }

        return new RemoteContent(response.ResponseStream, response.ContentLength, Md5FromETag(response), response);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>A single-part, non-KMS, non-SSE-C object's ETag is the hex MD5 of its bytes.</summary>
    private static byte[]? Md5FromETag(GetObjectResponse response)
    {
        var etag = response.ETag?.Trim('"');
        if (etag is null || etag.Length != 32 || !etag.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        var method = response.ServerSideEncryptionMethod?.Value;
        if (method is not null && method != ServerSideEncryptionMethod.None.Value && method != ServerSideEncryptionMethod.AES256.Value)
        {
            return null;
        }

        if (response.ServerSideEncryptionCustomerMethod is { } customer && customer != ServerSideEncryptionCustomerMethod.None)
        {
            return null;
        }

        return Convert.FromHexString(etag);
    }

    private StorageException Translate(AmazonS3Exception ex, string? key)
    {
        var what = key is null ? DisplayUri : $"s3://{_bucket}/{key}";
        var code = string.IsNullOrEmpty(ex.ErrorCode) ? ex.StatusCode.ToString() : ex.ErrorCode;
        return ex.StatusCode switch
        {
            HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => new StorageException(
                StorageErrorKind.AccessDenied,
                $"Access denied (HTTP {(int)ex.StatusCode} {code}) for {what}: check the S3 credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and the bucket policy. {ex.Message}",
                ex),
            HttpStatusCode.NotFound when code == "NoSuchBucket" => new StorageException(StorageErrorKind.NotFound, $"Bucket '{_bucket}' does not exist ({DisplayUri}).", ex),
            HttpStatusCode.NotFound => new StorageException(StorageErrorKind.NotFound, $"Object {what} does not exist.", ex),
            HttpStatusCode.PreconditionFailed => new StorageException(StorageErrorKind.Transfer, $"Object {what} changed while the model was being downloaded; try again.", ex),
            HttpStatusCode.MovedPermanently or HttpStatusCode.Redirect or HttpStatusCode.TemporaryRedirect => new StorageException(
                StorageErrorKind.Configuration,
                $"Bucket '{_bucket}' must be addressed through another endpoint or region ({code}); set AWS_DEFAULT_REGION or AWS_ENDPOINT_URL.",
                ex),
            _ => new StorageException(StorageErrorKind.Transfer, $"S3 request for {what} failed (HTTP {(int)ex.StatusCode} {code}): {ex.Message}", ex),
        };
    }
}
