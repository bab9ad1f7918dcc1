using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Archives;

/// <summary>Counts entries and expanded bytes of one extraction against <see cref="ArchiveLimits"/>.</summary>
internal sealed class ArchiveBudget
{
    private readonly ArchiveLimits _limits;
    private readonly string _archiveName;
    private readonly long _archiveBytes;
    private int _entries;
    private long _bytes;

    public ArchiveBudget(ArchiveLimits limits, string archiveName, long archiveBytes)
    {
        _limits = limits;
        _archiveName = archiveName;
        _archiveBytes = Math.Max(1, archiveBytes);
    }

    /// <summary>Accounts for one more entry.</summary>
    public void AddEntry()
    {
        if (++_entries > _limits.MaxEntries)
        {
            throw Rejected($"it holds more than {_limits.MaxEntries} entries (ArchiveLimits.MaxEntries)");
        }
    }

    /// <summary>Accounts for <paramref name="bytes"/> more expanded bytes (declared or actually written).</summary>
    public void AddBytes(long bytes)
    {
        _bytes += bytes;
        if (_bytes > _limits.MaxExtractedBytes)
        {
            throw Rejected($"it expands beyond {Format(_limits.MaxExtractedBytes)} (ArchiveLimits.MaxExtractedBytes)");
        }

        if (_bytes > _limits.RatioCheckThresholdBytes && (double)_bytes / _archiveBytes > _limits.MaxCompressionRatio)
        {
            throw Rejected(
                $"it expands to more than {_limits.MaxCompressionRatio:0.#} times its size of {Format(_archiveBytes)} (ArchiveLimits.MaxCompressionRatio): a decompression bomb");
        }
    }

    public StorageException Rejected(string reason) =>
        new(StorageErrorKind.Archive, $"Refusing to unpack archive {_archiveName}: {reason}.");

    private static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB",
        _ => $"{bytes} bytes",
    };
}
