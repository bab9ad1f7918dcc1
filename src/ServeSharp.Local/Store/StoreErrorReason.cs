namespace ServeSharp.Local.Store;

/// <summary>Why a store operation was refused; the names are Kubernetes <c>Status.reason</c> values.</summary>
public enum StoreErrorReason
{
    /// <summary>404: the object does not exist.</summary>
    NotFound,

    /// <summary>409: an object with that name already exists.</summary>
    AlreadyExists,

    /// <summary>409: the given resourceVersion is stale.</summary>
    Conflict,

    /// <summary>422: the object is malformed or rejected by admission.</summary>
    Invalid,

    /// <summary>410: a watch asked for history that has been compacted away.</summary>
    Expired,
}
