using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ServeSharp.Storage;
using ServeSharp.Storage.Configuration;

namespace ServeSharp.Local.Reconciling;

/// <summary>
/// Fetches revision models in the background so a slow or hanging download never holds up the reconcile loop (and so
/// other services). Local URIs resolve at once; remote ones download into <c>{models}/{ns}/{revision}</c>, retried
/// with backoff like a restarting storage-initializer container. <c>completed</c> is called after every attempt.
/// </summary>
internal sealed class ModelFetcher(ModelDownloader downloader, string modelRoot, TimeProvider time, ILogger logger) : IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, FetchEntry> _fetches = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>
    /// Where the model of <paramref name="revision"/> will be: the local path a local URI names, or the download folder.
    /// </summary>
    /// <exception cref="StorageException">A local URI that does not exist or is not allowed.</exception>
    public string Destination(string ns, string revision, string uri) =>
        downloader.TryResolveLocal(uri) ?? Path.Combine(modelRoot, ns, revision);

    /// <summary>Starts fetching (once per revision) and returns the current state.</summary>
    public FetchState Fetch(string ns, string revision, string uri, Action completed)
    {
        var key = $"{ns}/{revision}";
        var fetch = _fetches.GetOrAdd(key, _ => new FetchEntry());
        lock (fetch)
        {
            if (!fetch.Started)
            {
                fetch.Started = true;
                fetch.Task = Task.Run(() => RunAsync(fetch, ns, revision, uri, completed));
            }

            return fetch.State;
        }
    }

    /// <summary>Stops fetching for a removed revision.</summary>
    public void Forget(string ns, string revision)
    {
        if (_fetches.TryRemove($"{ns}/{revision}", out var fetch))
        {
            fetch.Cancel.Cancel();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var fetch in _fetches.Values)
        {
            fetch.Cancel.Cancel();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(FetchEntry fetch, string ns, string revision, string uri, Action completed)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, fetch.Cancel.Token);
        var delay = FirstRetry;
        while (!linked.IsCancellationRequested)
        {
            FetchState state;
            try
            {
                var local = downloader.TryResolveLocal(uri);
                if (local is not null)
                {
                    state = new FetchState(local, null);
                }
                else
                {
                    var destination = Path.Combine(modelRoot, ns, revision);
                    if (!Directory.Exists(destination) || !Directory.EnumerateFileSystemEntries(destination).Any())
                    {
                        await downloader.DownloadAsync(uri, destination, linked.Token).ConfigureAwait(false);
                    }

                    state = new FetchState(destination, null);
                }
            }
            catch (StorageException e)
            {
                state = new FetchState(null, $"fetching {SecretRedactor.RedactUri(uri)} failed: {e.Message}");
                ReconcilerLog.FetchFailed(logger, $"{ns}/{revision}", state.Error!, delay);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                return;
            }
            catch (IOException e)
            {
                state = new FetchState(null, $"fetching {SecretRedactor.RedactUri(uri)} failed: {e.Message}");
                ReconcilerLog.FetchFailed(logger, $"{ns}/{revision}", state.Error!, delay);
            }

            lock (fetch)
            {
                fetch.State = state;
            }

            completed();
            if (state.Path is not null)
            {
                return;
            }

            try
            {
                await Task.Delay(delay, time, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
        }
    }

    private sealed class FetchEntry
    {
        public bool Started { get; set; }

        public Task Task { get; set; } = Task.CompletedTask;

        public FetchState State { get; set; } = FetchState.Pending;

        public CancellationTokenSource Cancel { get; } = new();
    }
}

/// <summary>Where a revision's model fetch is.</summary>
/// <param name="Path">The local model directory once fetched.</param>
/// <param name="Error">Why the last attempt failed (a retry follows), or null.</param>
internal sealed record FetchState(string? Path, string? Error)
{
    public static FetchState Pending { get; } = new(null, null);
}
