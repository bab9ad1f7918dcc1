using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServeSharp.Storage.Archives;
using ServeSharp.Storage.Configuration;
using ServeSharp.Storage.Logging;
using ServeSharp.Storage.Sources;
using ServeSharp.Storage.Sources.Azure;
using ServeSharp.Storage.Sources.Gcs;
using ServeSharp.Storage.Sources.Http;
using ServeSharp.Storage.Sources.HuggingFace;
using ServeSharp.Storage.Sources.Local;
using ServeSharp.Storage.Sources.S3;
using ServeSharp.Storage.Transfer;
using ServeSharp.Storage.Uris;

namespace ServeSharp.Storage;

/// <summary>
/// Fetches a model from any supported storage URI into a directory with KServe's storage-initializer semantics,
/// atomically (nothing appears in the destination until everything is downloaded, verified and extracted).
/// </summary>
public sealed class ModelDownloader : IDisposable
{
    private readonly StorageOptions _options;
    private readonly StorageEnvironment _environment;
    private readonly SecretRedactor _redactor;
    private readonly PathPatternFilter _patterns;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly ModelTransfer _transfer;
    private readonly SafeArchiveExtractor _extractor;

    /// <summary>Creates a downloader; <paramref name="environment"/> supplies KServe's credential variables (STORAGE_CONFIG applied).</summary>
    public ModelDownloader(
        StorageOptions options,
        StorageEnvironment environment,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        IDownloadProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        options.Validate();
        _options = options;
        _environment = StorageSpecConfig.Apply(environment);
        _redactor = SecretRedactor.For(_environment);
        _patterns = PathPatternFilter.FromEnvironment(_environment);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ServeSharp.Storage");
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var pipeline = RetryPipelineFactory.Create(options, _time, _logger, _redactor);
        _transfer = new ModelTransfer(options, pipeline, _logger, progress);
        _extractor = new SafeArchiveExtractor(options.Archive);
    }

    /// <summary>The scrubber for messages that mention this downloader's URIs or credentials.</summary>
    public SecretRedactor Redactor => _redactor;

    /// <summary>
    /// The local directory or file a local URI (<c>file://</c>, an existing path, <c>pvc://</c>) names, or null
    /// when the URI is remote and must be downloaded.
    /// </summary>
    public string? TryResolveLocal(string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        return Scrubbed(() => StorageUriClassifier.Classify(uri) switch
        {
            StorageUriKind.Local => LocalPath(uri),
            StorageUriKind.Pvc => PvcUri.Resolve(uri, _options),
            _ => null,
        });
    }

    /// <summary>Downloads <paramref name="uri"/> into <paramref name="destination"/> and returns the destination.</summary>
    public async Task<string> DownloadAsync(string uri, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        try
        {
            var display = SecretRedactor.RedactUri(uri);
            StorageLog.DownloadStarting(_logger, display, destination);
            var kind = StorageUriClassifier.Classify(uri);
            (int files, long bytes) result;
            switch (kind)
            {
                case StorageUriKind.ModelMount:
                    Directory.CreateDirectory(destination);
                    StorageLog.ModelMountSkipped(_logger, display);
                    return destination;
                case StorageUriKind.Local or StorageUriKind.Pvc:
                    var local = kind == StorageUriKind.Pvc ? PvcUri.Resolve(uri, _options) : LocalPath(uri);
                    result = await LinkLocalAsync(local, display, destination, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    using (var source = CreateSource(uri, kind))
                    {
                        var files = await _transfer.ListAsync(source, _patterns, cancellationToken).ConfigureAwait(false);
                        result = await FetchAsync(source, files, destination, cancellationToken).ConfigureAwait(false);
                    }

                    break;
            }

            StorageLog.DownloadCompleted(_logger, display, destination, result.files, result.bytes);
            return destination;
        }
        catch (StorageException ex)
        {
            throw ex.WithMessage(_redactor.Redact(ex.Message));
        }
    }

    /// <summary>Lists what <paramref name="uri"/> would download (used by the cache to compute a content key).</summary>
    internal async Task<(IStorageSource Source, IReadOnlyList<RemoteFile> Files)> ListRemoteAsync(string uri, CancellationToken cancellationToken)
    {
        var kind = StorageUriClassifier.Classify(uri);
        if (kind is StorageUriKind.Local or StorageUriKind.Pvc or StorageUriKind.ModelMount)
        {
            throw new InvalidOperationException("Local URIs are not listed.");
        }

        var source = CreateSource(uri, kind);
        try
        {
            return (source, await _transfer.ListAsync(source, _patterns, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Downloads listed files into <paramref name="destination"/> atomically.</summary>
    internal async Task<(int Files, long Bytes)> FetchAsync(IStorageSource source, IReadOnlyList<RemoteFile> files, string destination, CancellationToken cancellationToken)
    {
        using var staging = StagingDirectory.For(destination);
        var bytes = await _transfer.FetchAsync(source, files, staging.Root, cancellationToken).ConfigureAwait(false);
        if (files.Count == 1 && source.ExtractsSingleArchive && ArchiveKinds.FromName(files[0].RelativePath) is var kind and not ArchiveKind.None)
        {
            var downloaded = Path.Combine(staging.Root, files[0].RelativePath);
            var archive = staging.Scratch("archive");
            File.Move(downloaded, archive);
            Directory.Delete(staging.Root, recursive: true);
            Directory.CreateDirectory(staging.Root);
            StorageLog.Unpacking(_logger, files[0].RelativePath);
            await _extractor.ExtractAsync(archive, Path.GetFileName(files[0].RelativePath), kind, staging.Root, cancellationToken).ConfigureAwait(false);
        }

        staging.PublishTo(destination);
        return (files.Count, bytes);
    }

    /// <summary>Scrubs credentials from the message of any <see cref="StorageException"/> <paramref name="action"/> throws.</summary>
    internal T Scrubbed<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (StorageException ex)
        {
            throw ex.WithMessage(_redactor.Redact(ex.Message));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<(int, long)> LinkLocalAsync(string local, string display, string destination, CancellationToken cancellationToken)
    {
        using var staging = StagingDirectory.For(destination);
        var count = await new LocalModelLinker(_extractor, _logger).LinkAsync(local, display, _patterns, staging.Root, cancellationToken).ConfigureAwait(false);
        staging.PublishTo(destination);
        return (count, 0);
    }

    private static string LocalPath(string uri)
    {
        var path = uri.StartsWith("file://", StringComparison.Ordinal) ? uri["file://".Length..] : uri;
        return path.Contains('\0', StringComparison.Ordinal)
            ? throw new StorageException(StorageErrorKind.InvalidUri, $"The storage URI {SecretRedactor.RedactUri(uri)} names a path with a NUL character.")
            : path;
    }

    private IStorageSource CreateSource(string uri, StorageUriKind kind) => kind switch
    {
        StorageUriKind.S3 => new S3Source(uri, S3Settings.From(_environment, _options.MaxConcurrency), _options.ConnectTimeout, _options.ReadTimeout),
        StorageUriKind.Gcs => new GcsSource(uri, _environment, _http, _time, _options.ReadTimeout, _options.MaxConcurrency),
        StorageUriKind.AzureBlob => new AzureBlobSource(uri, _environment, _http, _time, _options.ReadTimeout, _options.MaxConcurrency),
        StorageUriKind.HuggingFace => new HuggingFaceSource(uri, _environment, _http, _options.ReadTimeout, _options.MaxConcurrency),
        StorageUriKind.Http => new HttpSource(uri, _http, _environment, _options.ReadTimeout),
        _ => throw new StorageException(StorageErrorKind.NotSupported, $"not supported yet: {kind}"),
    };
}
