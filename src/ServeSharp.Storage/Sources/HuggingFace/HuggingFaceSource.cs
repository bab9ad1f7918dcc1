using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ServeSharp.Storage.Configuration;
using ServeSharp.Storage.Transfer;

namespace ServeSharp.Storage.Sources.HuggingFace;

/// <summary>
/// <c>hf://owner/model[:revision]</c>: a snapshot of a Hugging Face Hub repository (what <c>snapshot_download</c>
/// fetches). The revision is resolved to its commit once, so every file comes from the same commit; LFS files are
/// verified against their SHA-256. Endpoint <c>HF_ENDPOINT</c> (default https://huggingface.co), token <c>HF_TOKEN</c>.
/// </summary>
internal sealed class HuggingFaceSource : IStorageSource
{
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string _repo;
    private readonly string _revision;
    private readonly string? _token;
    private readonly TimeSpan _headersTimeout;
    private string? _commit;

    public HuggingFaceSource(string uri, StorageEnvironment environment, HttpClient http, TimeSpan headersTimeout, int defaultConcurrency)
    {
        DisplayUri = SecretRedactor.RedactUri(uri);
        var components = uri["hf://".Length..].Split('/');
        if (components.Length != 2)
        {
            throw new StorageException(StorageErrorKind.InvalidUri, "URI must contain exactly one '/' separating the repo and model name");
        }

        if (components[0].Length == 0)
        {
            throw new StorageException(StorageErrorKind.InvalidUri, "Repository name cannot be empty");
        }

        var colon = components[1].IndexOf(':', StringComparison.Ordinal);
        var model = colon < 0 ? components[1] : components[1][..colon];
        if (model.Length == 0)
        {
            throw new StorageException(StorageErrorKind.InvalidUri, "Model name cannot be empty");
        }

        _repo = $"{components[0]}/{model}";
        _revision = colon < 0 || colon == components[1].Length - 1 ? "main" : components[1][(colon + 1)..];
        _endpoint = new Uri((environment.Get("HF_ENDPOINT") ?? "https://huggingface.co").TrimEnd('/') + "/");
        _token = environment.Get("HF_TOKEN") ?? environment.Get("HUGGING_FACE_HUB_TOKEN");
        _http = http;
        _headersTimeout = headersTimeout;
        MaxConcurrency = environment.GetPositiveInt("HF_MAX_FILE_CONCURRENCY", defaultConcurrency);
    }

    public string DisplayUri { get; }

    public int MaxConcurrency { get; }

    public bool ExtractsSingleArchive => false;

    public bool AppliesPatterns => true;

    public async Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken)
    {
        var url = $"api/models/{_repo}/revision/{Uri.EscapeDataString(_revision)}?blobs=true";
        using var response = await SendAsync(url, null, cancellationToken).ConfigureAwait(false);
        var info = await response.Content.ReadFromJsonAsync(HuggingFaceJsonContext.Default.HuggingFaceModelInfo, cancellationToken).ConfigureAwait(false);
        _commit = info?.Sha ?? _revision;
        var files = new List<RemoteFile>();
        foreach (var sibling in info?.Siblings ?? [])
        {
            var size = sibling.Lfs?.Size ?? sibling.Size;
            byte[]? sha256 = null;
            if (sibling.Lfs?.Sha256 is { Length: 64 } hex && hex.All(char.IsAsciiHexDigit))
            {
                sha256 = Convert.FromHexString(hex);
            }

            files.Add(new RemoteFile(sibling.RFilename, sibling.RFilename, size, _commit, null, sha256));
        }

        return files;
    }

    public async Task<RemoteContent> OpenAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        var path = string.Join('/', file.SourceKey.Split('/').Select(Uri.EscapeDataString));
        var response = await SendAsync($"{_repo}/resolve/{Uri.EscapeDataString(_commit ?? _revision)}/{path}", file.SourceKey, cancellationToken).ConfigureAwait(false);
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

    public void Dispose()
    {
        // The HttpClient belongs to the downloader.
    }

    private async Task<HttpResponseMessage> SendAsync(string relativeUrl, string? file, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_endpoint, relativeUrl));
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
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
            var what = file is null ? $"repository '{_repo}' at revision '{_revision}'" : $"'{file}' of repository '{_repo}'";
            if (TransientErrors.IsTransientStatus(status))
            {
                throw new HttpRequestException($"Hugging Face Hub returned HTTP {status} for {what}", null, response.StatusCode);
            }

            throw response.StatusCode switch
            {
                // The Hub answers 401 for private and for missing repositories alike.
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new StorageException(
                    StorageErrorKind.AccessDenied,
                    $"Access denied (HTTP {status}) to {what}: the repository is private, gated or does not exist; set HF_TOKEN to a token that can read it."),
                HttpStatusCode.NotFound => new StorageException(StorageErrorKind.NotFound, $"{char.ToUpperInvariant(what[0])}{what[1..]} was not found on {_endpoint.Host} (HTTP 404)."),
                _ => new StorageException(StorageErrorKind.Transfer, $"Hugging Face Hub request for {what} failed (HTTP {status})."),
            };
        }
    }
}
