namespace ServeSharp.Storage;

/// <summary>What went wrong while fetching a model, so callers can map it to an exit code or status.</summary>
public enum StorageErrorKind
{
    /// <summary>The URI is malformed or names nothing usable.</summary>
    InvalidUri,

    /// <summary>The scheme is recognised but not implemented.</summary>
    NotSupported,

    /// <summary>The bucket, container, repository, object or path does not exist, or the listing is empty.</summary>
    NotFound,

    /// <summary>The store refused the credentials (HTTP 401/403).</summary>
    AccessDenied,

    /// <summary>Credentials or storage configuration are missing or invalid.</summary>
    Configuration,

    /// <summary>Downloaded bytes did not match the size or checksum the store announced.</summary>
    Integrity,

    /// <summary>An archive was malformed or hostile (path escape, device file, bomb).</summary>
    Archive,

    /// <summary>The store or network kept failing after all retries.</summary>
    Transfer,
}
