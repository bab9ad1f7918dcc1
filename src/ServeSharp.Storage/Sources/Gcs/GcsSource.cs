using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ServeSharp.Storage.Configuration;
using ServeSharp.Storage.Transfer;

namespace ServeSharp.Storage.Sources.Gcs;

/// <summary>
/// <c>gs://bucket/path</c> through the GCS JSON API (no Google SDK), as KServe's <c>_download_gcs</c>: list the
/// folder <c>path/</c>; when it is empty and the object <c>path</c> exists, download that single object under its
/// base name; otherwise mirror the folder, skipping folder placeholders. The endpoint comes from
/// <c>STORAGE_EMULATOR_HOST</c> (the Google SDKs' variable) or defaults to <c>https://storage.googleapis.com</c>.
/// </summary>
internal sealed class GcsSource : IStorageSource
{
    private readonly HttpClient _http;
    private readonly GoogleAccessTokenProvider _tokens;
    private readonly Uri _endpoint;
    private readonly string _bucket;
    private readonly string _path;
    private readonly TimeSpan _headersTimeout;

    public GcsSource(string uri, StorageEnvironment environment, HttpClient http, TimeProvider time, TimeSpan headersTimeout, int defaultConcurrency)
    {
        DisplayUri = SecretRedactor.RedactUri(uri);
        var rest = uri["gs://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        _bucket = slash < 0 ? rest : rest[..slash];
        _path = slash < 0 ? string.Empty : rest[(slash + 1)..];
        if (_bucket.Length == 0)
        {
            throw new StorageException(StorageErrorKind.InvalidUri, $"No bucket name in {DisplayUri}");
        }

        var endpoint = environment.Get("STORAGE_EMULATOR_HOST") ?? "https://storage.googleapis.com";
        if (!endpoint.Contains("://", StringComparison.Ordinal))
        {
            endpoint = "http://" + endpoint;
        }

        _endpoint = new Uri(endpoint.TrimEnd('/') + "/");
        _http = http;
        _headersTimeout = headersTimeout;
        var credentials = environment.Get("GOOGLE_APPLICATION_CREDENTIALS") is { } file ? GoogleCredentialFile.Load(file) : null;
        _tokens = new GoogleAccessTokenProvider(credentials, http, time);
        MaxConcurrency = environment.GetPositiveInt("GCS_MAX_FILE_CONCURRENCY", defaultConcurrency);
    }

    public string DisplayUri { get; }

    public int MaxConcurrency { get; }

    public bool ExtractsSingleArchive => true;

    public bool AppliesPatterns => true;

    public async Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken)
    {
        // KServe lists "<path>/"; a bare bucket lists everything.
        var prefix = _path.Length == 0 || _path.EndsWith('/') ? _path : _path + "/";
        var files = new List<RemoteFile>();
        string? pageToken = null;
        do
        {
            var query = $"storage/v1/b/{Uri.EscapeDataString(_bucket)}/o?prefix={Uri.EscapeDataString(prefix)}"
                + (pageToken is null ? string.Empty : $"&pageToken={Uri.EscapeDataString(pageToken)}");
            using var response = await SendAsync(query, null, cancellationToken).ConfigureAwait(false);
            var page = await response.Content.ReadFromJsonAsync(GoogleJsonContext.Default.GcsObjectList, cancellationToken).ConfigureAwait(false);
            foreach (var item in page?.Items ?? [])
            {
                var relative = RemovePath(item.Name);
                if (relative.Trim().Length == 0 || relative.EndsWith('/'))
                {
                    continue;
                }

                files.Add(ToRemote(item, relative));
            }

            pageToken = page?.NextPageToken;
        }
        while (pageToken is not null);

        if (files.Count == 0 && _path.Length > 0 && !_path.EndsWith('/'))
        {
            var single = await TryGetObjectAsync(cancellationToken).ConfigureAwait(false);
            if (single is not null)
            {
                files.Add(ToRemote(single, _path[(_path.LastIndexOf('/') + 1)..]));
            }
        }

        return files;
    }

    public async Task<RemoteContent> OpenAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        var query = $"storage/v1/b/{Uri.EscapeDataString(_bucket)}/o/{Uri.EscapeDataString(file.SourceKey)}?alt=media"
            + (file.Version is null ? string.Empty : $"&ifGenerationMatch={Uri.EscapeDataString(file.Version)}");
        var response = await SendAsync(query, file.SourceKey, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new RemoteContent(stream, response.Content.Headers.ContentLength, null, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => _tokens.Dispose();

    private async Task<GcsObject?> TryGetObjectAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync($"storage/v1/b/{Uri.EscapeDataString(_bucket)}/o/{Uri.EscapeDataString(_path)}", _path, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync(GoogleJsonContext.Default.GcsObject, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound && ex.InnerException is null)
        {
            return null;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string relativeUrl, string? objectName, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_endpoint, relativeUrl));
        if (await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_headersTimeout);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var what = objectName is null ? DisplayUri : $"gs://{_bucket}/{objectName}";
            if (TransientErrors.IsTransientStatus(status))
            {
                throw new HttpRequestException($"GCS returned HTTP {status} for {what}", null, response.StatusCode);
            }

            var body = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new StorageException(
                    StorageErrorKind.AccessDenied,
                    $"Access denied (HTTP {status}) for {what}: check GOOGLE_APPLICATION_CREDENTIALS and the bucket's IAM policy.{body}"),
                HttpStatusCode.NotFound when objectName is null => new StorageException(StorageErrorKind.NotFound, $"Bucket '{_bucket}' does not exist ({DisplayUri}).{body}"),
                HttpStatusCode.NotFound => new StorageException(StorageErrorKind.NotFound, $"Object {what} does not exist."),
                HttpStatusCode.PreconditionFailed => new StorageException(StorageErrorKind.Transfer, $"Object {what} changed while the model was being downloaded; try again."),
                _ => new StorageException(StorageErrorKind.Transfer, $"GCS request for {what} failed (HTTP {status}).{body}"),
            };
        }
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var document = System.Text.Json.JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message)
                ? " " + message.GetString()
                : string.Empty;
        }
        catch (System.Text.Json.JsonException)
        {
            return string.Empty;
        }
    }

    private string RemovePath(string name)
    {
        // Python: blob.name.replace(bucket_path, "", 1).lstrip("/")
        var index = _path.Length == 0 ? -1 : name.IndexOf(_path, StringComparison.Ordinal);
        return (index < 0 ? name : string.Concat(name.AsSpan(0, index), name.AsSpan(index + _path.Length))).TrimStart('/');
    }

    private static RemoteFile ToRemote(GcsObject item, string relative)
    {
        byte[]? md5 = null;
        if (item.Md5Hash is { } hash)
        {
            try
            {
                md5 = Convert.FromBase64String(hash);
            }
            catch (FormatException)
            {
                md5 = null;
            }
        }

        return new RemoteFile(item.Name, relative, item.Size, item.Generation, md5);
    }
}
