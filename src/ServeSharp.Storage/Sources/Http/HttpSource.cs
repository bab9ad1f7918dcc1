using System.Net;
using System.Net.Http.Headers;
using ServeSharp.Storage.Archives;
using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Sources.Http;

/// <summary>
/// A single file over plain HTTP(S) (KServe's <c>_download_from_uri</c>): the file name is the last path segment,
/// per-host headers come from <c>&lt;host&gt;-headers</c>, and the Content-Type must match what the name implies
/// (zip, tar, otherwise <c>application/octet-stream</c>).
/// </summary>
internal sealed class HttpSource : IStorageSource
{
    private static readonly string[] ZipContentTypes = ["application/x-zip-compressed", "application/zip", "application/zip-compressed"];
    private static readonly string[] TarContentTypes = ["application/x-tar", "application/x-gtar", "application/x-gzip", "application/gzip"];

    private readonly Uri _uri;
    private readonly HttpClient _client;
    private readonly StorageEnvironment _environment;
    private readonly TimeSpan _headersTimeout;
    private readonly string _fileName;
    private readonly ArchiveKind _kind;

    public HttpSource(string uri, HttpClient client, StorageEnvironment environment, TimeSpan headersTimeout)
    {
        DisplayUri = SecretRedactor.RedactUri(uri);
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
        {
            throw new StorageException(StorageErrorKind.InvalidUri, $"Invalid HTTP(S) URI: {DisplayUri}");
        }

        _uri = parsed;
        _client = client;
        _environment = environment;
        _headersTimeout = headersTimeout;
        _fileName = Uri.UnescapeDataString(parsed.AbsolutePath[(parsed.AbsolutePath.LastIndexOf('/') + 1)..]);
        if (_fileName.Length == 0)
        {
            throw new StorageException(StorageErrorKind.InvalidUri, $"No filename contained in URI: {DisplayUri}");
        }

        // Python guesses from the path, and from the query string when the path gives nothing.
        _kind = ArchiveKinds.FromName(_fileName);
        if (_kind == ArchiveKind.None && !HasKnownType(_fileName) && parsed.Query.Length > 1)
        {
            _kind = ArchiveKinds.FromName(Uri.UnescapeDataString(parsed.Query[1..]));
        }
    }

    public string DisplayUri { get; }

    public int MaxConcurrency => 1;

    public bool ExtractsSingleArchive => true;

    public bool AppliesPatterns => false;

    /// <summary>The archive kind the URI implies (decides extraction and the accepted Content-Type).</summary>
    public ArchiveKind Kind => _kind;

    public async Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken)
    {
        // The archive rule keys on the name: a tar named by the query string is stored under a tar name.
        var name = _kind != ArchiveKind.None && ArchiveKinds.FromName(_fileName) == ArchiveKind.None ? _fileName + ".tar" : _fileName;
        var version = await TryGetVersionAsync(cancellationToken).ConfigureAwait(false);
        return [new RemoteFile(_uri.AbsoluteUri, name, null, version)];
    }

    public async Task<RemoteContent> OpenAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(HttpMethod.Get);
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var code = (int)response.StatusCode;
                var message = $"URI: {DisplayUri} returned a {code} response code.";
                if (TransientErrorsStatus(code))
                {
                    throw new HttpRequestException(message, null, response.StatusCode);
                }

                var kind = code switch
                {
                    401 or 403 => StorageErrorKind.AccessDenied,
                    404 or 410 => StorageErrorKind.NotFound,
                    _ => StorageErrorKind.Transfer,
                };
                throw new StorageException(kind, message);
            }

            CheckContentType(response.Content.Headers.ContentType);
            var md5 = response.Content.Headers.ContentMD5;
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new RemoteContent(stream, response.Content.Headers.ContentLength, md5, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        // The HttpClient belongs to the downloader.
    }

    private async Task<string?> TryGetVersionAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = CreateRequest(HttpMethod.Head);
            using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            var etag = response.Headers.ETag?.Tag;
            var modified = response.Content.Headers.LastModified?.ToUnixTimeSeconds();
            var length = response.Content.Headers.ContentLength;
            return etag is null && modified is null ? null : $"{etag}|{modified}|{length}";
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // HEAD is only a cache hint; the GET reports real problems.
            return null;
        }
    }

    private HttpRequestMessage CreateRequest(HttpMethod method)
    {
        var request = new HttpRequestMessage(method, _uri);
        foreach (var (name, value) in HostHeaderSecrets.For(_environment, _uri.Host))
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                throw new StorageException(StorageErrorKind.Configuration, $"Header '{name}' from {_uri.Host}-headers cannot be sent on a request.");
            }
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_headersTimeout);
        return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
    }

    private void CheckContentType(MediaTypeHeaderValue? contentType)
    {
        var actual = contentType?.ToString() ?? string.Empty;
        var accepted = _kind switch
        {
            ArchiveKind.Zip => ZipContentTypes,
            ArchiveKind.Tar => TarContentTypes,
            _ => ["application/octet-stream"],
        };
        if (!accepted.Any(t => actual.StartsWith(t, StringComparison.Ordinal)))
        {
            throw new StorageException(
                StorageErrorKind.Transfer,
                accepted.Length == 1
                    ? $"URI: {DisplayUri} did not respond with 'Content-Type': 'application/octet-stream'"
                    : $"URI: {DisplayUri} did not respond with any of following 'Content-Type': {string.Join(", ", accepted)}");
        }
    }

    private static bool TransientErrorsStatus(int code) => Transfer.TransientErrors.IsTransientStatus(code);

    private static bool HasKnownType(string name) => Path.HasExtension(name);
}
