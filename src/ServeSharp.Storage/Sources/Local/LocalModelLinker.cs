using Microsoft.Extensions.Logging;
using ServeSharp.Storage.Archives;
using ServeSharp.Storage.Configuration;
using ServeSharp.Storage.Logging;

namespace ServeSharp.Storage.Sources.Local;

/// <summary>
/// KServe's <c>_download_local</c>: each top-level entry of a local folder (or the file itself) is symlinked into
/// the destination, never copied; when exactly one entry results and it is an archive, it is extracted instead.
/// </summary>
internal sealed class LocalModelLinker
{
    private readonly SafeArchiveExtractor _extractor;
    private readonly ILogger _logger;

    public LocalModelLinker(SafeArchiveExtractor extractor, ILogger logger)
    {
        _extractor = extractor;
        _logger = logger;
    }

    /// <summary>Fills <paramref name="stagingRoot"/> with links to (or the extraction of) <paramref name="localPath"/>; returns the entry count.</summary>
    public async Task<int> LinkAsync(string localPath, string displayUri, PathPatternFilter patterns, string stagingRoot, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(localPath);
        string[] entries;
        if (Directory.Exists(full))
        {
            entries = Directory.EnumerateFileSystemEntries(full)
                .Where(e => patterns.Includes(Path.GetFileName(e)))
                .Order(StringComparer.Ordinal)
                .ToArray();
        }
        else if (File.Exists(full))
        {
            entries = [full];
        }
        else
        {
            throw new StorageException(StorageErrorKind.NotFound, $"Local path {displayUri} does not exist.");
        }

        if (entries.Length == 0)
        {
            throw new StorageException(StorageErrorKind.NotFound, $"Failed to fetch model. No model found in {displayUri}.");
        }

        if (entries.Length == 1 && File.Exists(entries[0]) && ArchiveKinds.FromName(entries[0]) is var kind and not ArchiveKind.None)
        {
            StorageLog.Unpacking(_logger, entries[0]);
            await _extractor.ExtractAsync(entries[0], Path.GetFileName(entries[0]), kind, stagingRoot, cancellationToken).ConfigureAwait(false);
            return 1;
        }

        foreach (var entry in entries)
        {
            var link = Path.Combine(stagingRoot, Path.GetFileName(entry));
            StorageLog.Linking(_logger, entry, link);
            File.CreateSymbolicLink(link, entry);
        }

        return entries.Length;
    }
}
