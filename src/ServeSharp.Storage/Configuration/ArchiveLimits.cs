namespace ServeSharp.Storage.Configuration;

/// <summary>Caps that stop decompression bombs before they fill the disk.</summary>
public sealed class ArchiveLimits
{
    /// <summary>Largest total size the entries of one archive may expand to. Default 64 GiB.</summary>
    public long MaxExtractedBytes { get; set; } = 64L * 1024 * 1024 * 1024;

    /// <summary>Most entries (files, directories, links) one archive may hold. Default 100 000.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>
    /// Largest ratio of expanded size to archive size, checked once the expanded size passes
    /// <see cref="RatioCheckThresholdBytes"/>. Real model files compress by 1–5×; bombs by 1000×. Default 200.
    /// </summary>
    public double MaxCompressionRatio { get; set; } = 200;

    /// <summary>Expanded size below which the ratio is not checked (tiny, highly compressible files are normal). Default 256 MiB.</summary>
    public long RatioCheckThresholdBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Throws when a limit is not positive.</summary>
    public void Validate()
    {
        if (MaxExtractedBytes <= 0 || MaxEntries <= 0 || MaxCompressionRatio <= 1 || RatioCheckThresholdBytes < 0)
        {
            throw new StorageException(
                StorageErrorKind.Configuration,
                "Archive limits must be positive (MaxExtractedBytes, MaxEntries > 0, MaxCompressionRatio > 1, RatioCheckThresholdBytes >= 0).");
        }
    }
}
