using Microsoft.Extensions.Logging;
using Polly;
using ServeSharp.Storage.Configuration;
using ServeSharp.Storage.Logging;
using ServeSharp.Storage.Sources;

namespace ServeSharp.Storage.Transfer;

/// <summary>
/// The download engine shared by every remote scheme: lists the model (with retries), applies the allow/ignore
/// patterns, refuses keys that would escape the destination, downloads objects in parallel (bounded), retrying
/// each one from scratch on transient errors and verifying size and checksums.
/// </summary>
internal sealed class ModelTransfer
{
    private readonly StorageOptions _options;
    private readonly ResiliencePipeline _pipeline;
    private readonly ObjectCopier _copier;
    private readonly ILogger _logger;

    public ModelTransfer(StorageOptions options, ResiliencePipeline pipeline, ILogger logger, IDownloadProgress? progress)
    {
        _options = options;
        _pipeline = pipeline;
        _logger = logger;
        _copier = new ObjectCopier(options.ReadTimeout, progress);
    }

    /// <summary>Lists the files to fetch; throws "No model found" when nothing is left.</summary>
    public async Task<IReadOnlyList<RemoteFile>> ListAsync(IStorageSource source, PathPatternFilter patterns, CancellationToken cancellationToken)
    {
        IReadOnlyList<RemoteFile> listed;
        try
        {
            listed = await RunAsync($"listing {source.DisplayUri}", source.ListAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not StorageException && !cancellationToken.IsCancellationRequested)
        {
            // A timeout (HttpClient's connect timeout is a TaskCanceledException) is a failure to report, not the
            // caller giving up.
            throw Failure($"Failed to list {source.DisplayUri}", ex);
        }

        var files = new List<RemoteFile>(listed.Count);
        foreach (var file in listed)
        {
            if (source.AppliesPatterns && !patterns.Includes(file.RelativePath))
            {
                StorageLog.ObjectSkipped(_logger, file.SourceKey);
                continue;
            }

            if (SafeRelativePath.Normalize(file.RelativePath) is null)
            {
                throw new StorageException(
                    StorageErrorKind.InvalidUri,
                    $"Refusing to download '{file.SourceKey}' from {source.DisplayUri}: its path would be written outside the destination.");
            }

            StorageLog.ObjectFound(_logger, file.SourceKey, file.Size);
            files.Add(file);
        }

        if (files.Count == 0)
        {
            throw new StorageException(StorageErrorKind.NotFound, $"Failed to fetch model. No model found in {source.DisplayUri}.");
        }

        return files;
    }

    /// <summary>Downloads <paramref name="files"/> into <paramref name="root"/> and returns the total byte count.</summary>
    public async Task<long> FetchAsync(IStorageSource source, IReadOnlyList<RemoteFile> files, string root, CancellationToken cancellationToken)
    {
        long total = 0;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Min(source.MaxConcurrency, files.Count),
            CancellationToken = cancellationToken,
        };
        await Parallel.ForEachAsync(files, parallel, async (file, token) =>
        {
            var path = SafeRelativePath.Combine(root, file.RelativePath, _ => new StorageException(StorageErrorKind.InvalidUri, $"Refusing to write '{file.SourceKey}' outside the destination."));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            long bytes;
            try
            {
                bytes = await RunAsync(file.SourceKey, async attemptToken =>
                {
                    var content = await source.OpenAsync(file, attemptToken).ConfigureAwait(false);
                    await using (content.ConfigureAwait(false))
                    {
                        return await _copier.CopyAsync(file, content, path, attemptToken).ConfigureAwait(false);
                    }
                }, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not StorageException && !token.IsCancellationRequested)
            {
                throw Failure($"Failed to download {file.SourceKey} from {source.DisplayUri}", ex);
            }

            StorageLog.FileDownloaded(_logger, file.RelativePath, bytes);
            Interlocked.Add(ref total, bytes);
        }).ConfigureAwait(false);
        return total;
    }

    private async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RetryPipelineFactory.OperationName, operation);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state(ctx.CancellationToken).ConfigureAwait(false),
                context,
                action).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private StorageException Failure(string what, Exception ex)
    {
        var attempts = _options.MaxRetryAttempts + 1;
        var transient = TransientErrors.IsTransient(ex, CancellationToken.None);
        var reason = Describe(ex);
        if (ex is TransientStorageException { IsIntegrityFailure: true })
        {
            return new StorageException(StorageErrorKind.Integrity, $"{what}: integrity check failed ({reason}) after {attempts} attempts.", ex);
        }

        return transient
            ? new StorageException(StorageErrorKind.Transfer, $"{what}: {reason} (gave up after {attempts} attempts).", ex)
            : new StorageException(StorageErrorKind.Transfer, $"{what}: {reason}.", ex);
    }

    private static string Describe(Exception ex) => ex switch
    {
        HttpIOException or IOException when ex.Message.Length == 0 => "the connection was closed before the whole file arrived",
        HttpIOException io => $"the connection was closed before the whole file arrived ({io.Message.TrimEnd('.')})",
        OperationCanceledException => "the request timed out",
        _ => ex.Message.TrimEnd('.'),
    };
}
