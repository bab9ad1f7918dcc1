using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServeSharp.Storage.Configuration;
using ServeSharp.Storage.Logging;
using ServeSharp.Storage.Sources;

namespace ServeSharp.Storage.Cache;

/// <summary>
/// A content-addressed cache of downloaded models: the key is a hash of the URI (without secrets) and of what the
/// store reports for every file (path, size, ETag/generation/commit), so a changed model gets a new folder and an
/// unchanged one is never downloaded twice. Folders appear by atomic rename; the least recently used are removed
/// once the total passes <see cref="ModelCacheOptions.MaxBytes"/>. Local URIs are returned as they are.
/// </summary>
public sealed class ModelCache
{
    private readonly ModelCacheOptions _options;
    private readonly ModelDownloader _downloader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _keyLocks = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _indexLock = new(1, 1);

    /// <summary>Creates a cache that downloads through <paramref name="downloader"/>.</summary>
    public ModelCache(ModelCacheOptions options, ModelDownloader downloader, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(downloader);
        options.Validate();
        _options = options;
        _downloader = downloader;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ServeSharp.Storage.Cache");
        Directory.CreateDirectory(_options.Root);
    }

    /// <summary>The local folder holding the model at <paramref name="uri"/>, downloading it when not cached.</summary>
    public async Task<string> GetAsync(string uri, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        if (_downloader.TryResolveLocal(uri) is { } local)
        {
            return local;
        }

        IStorageSource source;
        IReadOnlyList<RemoteFile> files;
        try
        {
            (source, files) = await _downloader.ListRemoteAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex)
        {
            throw ex.WithMessage(_downloader.Redactor.Redact(ex.Message));
        }

        using (source)
        {
            var key = Key(source.DisplayUri, files);
            var directory = Path.Combine(_options.Root, key);
            var gate = _keyLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (await TouchAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    StorageLog.CacheHit(_logger, source.DisplayUri, directory);
                    return directory;
                }

                await DownloadAsync(source, files, key, directory, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }

            await EvictAsync(keep: key, cancellationToken).ConfigureAwait(false);
            return directory;
        }
    }

    private async Task DownloadAsync(IStorageSource source, IReadOnlyList<RemoteFile> files, string key, string directory, CancellationToken cancellationToken)
    {
        // A folder without its record is a crashed download: start over.
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var incoming = Path.Combine(_options.Root, ".incoming", Guid.NewGuid().ToString("N"));
        try
        {
            try
            {
                await _downloader.FetchAsync(source, files, incoming, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException ex)
            {
                throw ex.WithMessage(_downloader.Redactor.Redact(ex.Message));
            }

            try
            {
                Directory.Move(incoming, directory);
            }
            catch (IOException) when (Directory.Exists(directory))
            {
                // Another process finished the same model first; its copy is identical by construction.
            }

            var now = _time.GetUtcNow();
            var entry = new CacheEntry
            {
                Uri = source.DisplayUri,
                Bytes = SizeOf(directory),
                Files = files.Count,
                CreatedUtc = now,
                LastAccessUtc = now,
            };
            await WriteEntryAsync(key, entry, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(incoming))
            {
                Directory.Delete(incoming, recursive: true);
            }
        }
    }

    private async Task<bool> TouchAsync(string key, CancellationToken cancellationToken)
    {
        var entry = await ReadEntryAsync(key, cancellationToken).ConfigureAwait(false);
        if (entry is null || !Directory.Exists(Path.Combine(_options.Root, key)))
        {
            return false;
        }

        entry.LastAccessUtc = _time.GetUtcNow();
        await WriteEntryAsync(key, entry, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task EvictAsync(string keep, CancellationToken cancellationToken)
    {
        await _indexLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var entries = new List<(string Key, CacheEntry Entry)>();
            foreach (var file in Directory.EnumerateFiles(_options.Root, "*.json"))
            {
                var key = Path.GetFileNameWithoutExtension(file);
                if (await ReadEntryAsync(key, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    entries.Add((key, entry));
                }
            }

            var total = entries.Sum(e => e.Entry.Bytes);
            foreach (var (key, entry) in entries.OrderBy(e => e.Entry.LastAccessUtc))
            {
                if (total <= _options.MaxBytes)
                {
                    break;
                }

                if (key == keep)
                {
                    continue;
                }

                // The record goes first, so a reader never finds a record whose folder is half deleted.
                File.Delete(EntryPath(key));
                var directory = Path.Combine(_options.Root, key);
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }

                total -= entry.Bytes;
                StorageLog.CacheEvicted(_logger, directory, entry.Bytes);
            }
        }
        finally
        {
            _indexLock.Release();
        }
    }

    private string EntryPath(string key) => Path.Combine(_options.Root, key + ".json");

    private async Task<CacheEntry?> ReadEntryAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(EntryPath(key));
            return await JsonSerializer.DeserializeAsync(stream, CacheJsonContext.Default.CacheEntry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    private async Task WriteEntryAsync(string key, CacheEntry entry, CancellationToken cancellationToken)
    {
        // Write then rename, so the record is either the old or the new one, never a torn file.
        var temporary = EntryPath(key) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        await using (var stream = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(stream, entry, CacheJsonContext.Default.CacheEntry, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, EntryPath(key), overwrite: true);
    }

    private static long SizeOf(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private static string Key(string displayUri, IReadOnlyList<RemoteFile> files)
    {
        var text = new StringBuilder(displayUri).Append('\n');
        foreach (var file in files.OrderBy(f => f.RelativePath, StringComparer.Ordinal))
        {
            text.Append(file.RelativePath).Append('\t').Append(file.Size).Append('\t').Append(file.Version).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
