namespace ServeSharp.Storage.Configuration;

/// <summary>How models are fetched: concurrency, retries, timeouts, archive caps and the PVC claim map.</summary>
public sealed class StorageOptions
{
    /// <summary>Parallel object downloads per model when the scheme's own variable (e.g. <c>S3_MAX_FILE_CONCURRENCY</c>) is unset. Default 4.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Retries after the first attempt on transient errors (5xx, dropped connections, truncation). Default 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; later ones grow exponentially with jitter. Default 1 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for response headers or for the next chunk of a body before the attempt counts as failed. Default 30 s.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait to open a connection. Default 15 s (KServe's <c>S3_CONNECT_TIMEOUT</c>).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Caps applied when a single downloaded archive is extracted.</summary>
    public ArchiveLimits Archive { get; set; } = new();

    /// <summary>
    /// <c>pvc://claim/path</c> support outside Kubernetes: claim name → local directory. Claims not listed here
    /// are an error.
    /// </summary>
    public IDictionary<string, string> PvcClaims { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Throws a <see cref="StorageException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxConcurrency < 1)
        {
            throw Invalid("MaxConcurrency must be at least 1.");
        }

        if (MaxRetryAttempts < 0)
        {
            throw Invalid("MaxRetryAttempts must not be negative.");
        }

        if (RetryBaseDelay < TimeSpan.Zero || ReadTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw Invalid("RetryBaseDelay must not be negative; ReadTimeout and ConnectTimeout must be positive.");
        }

        ArgumentNullException.ThrowIfNull(Archive);
        Archive.Validate();
        foreach (var (claim, directory) in PvcClaims)
        {
            if (string.IsNullOrWhiteSpace(claim) || claim.Contains('/', StringComparison.Ordinal) || string.IsNullOrWhiteSpace(directory))
            {
                throw Invalid($"PVC claim mapping '{claim}' → '{directory}' is invalid: the claim must be a plain name and the directory non-empty.");
            }
        }
    }

    private static StorageException Invalid(string message) => new(StorageErrorKind.Configuration, message);
}
