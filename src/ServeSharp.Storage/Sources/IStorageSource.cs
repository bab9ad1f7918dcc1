namespace ServeSharp.Storage.Sources;

/// <summary>
/// One remote store behind a URI. The source lists what to fetch (applying its scheme's KServe rules: prefix
/// listing, exact-object match, skipped keys) and opens each object; the shared <c>ModelTransfer</c> engine does
/// the parallelism, retries, integrity checks, archive rule and atomic publication.
/// </summary>
internal interface IStorageSource : IDisposable
{
    /// <summary>The URI without secrets, for messages.</summary>
    string DisplayUri { get; }

    /// <summary>How many objects may download at once.</summary>
    int MaxConcurrency { get; }

    /// <summary>True when a single downloaded <c>.tar</c>/<c>.tgz</c>/<c>.tar.gz</c>/<c>.zip</c> is extracted (KServe's archive rule).</summary>
    bool ExtractsSingleArchive { get; }

    /// <summary>True when <c>STORAGE_ALLOW_PATTERNS</c>/<c>STORAGE_IGNORE_PATTERNS</c> apply to this scheme.</summary>
    bool AppliesPatterns { get; }

    /// <summary>Lists the files of the model. Provider errors surface as <see cref="StorageException"/> or transient exceptions.</summary>
    Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Opens one listed file for reading.</summary>
    Task<RemoteContent> OpenAsync(RemoteFile file, CancellationToken cancellationToken);
}
