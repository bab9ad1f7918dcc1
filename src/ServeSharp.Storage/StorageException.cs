namespace ServeSharp.Storage;

/// <summary>
/// A model could not be fetched. The message is meant for the user (it becomes the init container's termination
/// message) and never contains credentials: every message is scrubbed before it is thrown out of the library.
/// </summary>
public sealed class StorageException : Exception
{
    /// <summary>Creates an error of the given kind.</summary>
    public StorageException(StorageErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Creates an error of the given kind with the underlying cause (kept for diagnostics, not shown).</summary>
    public StorageException(StorageErrorKind kind, string message, Exception? innerException)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Creates a transfer error.</summary>
    public StorageException()
        : this(StorageErrorKind.Transfer, "Storage operation failed.")
    {
    }

    /// <summary>Creates a transfer error with the given message.</summary>
    public StorageException(string message)
        : this(StorageErrorKind.Transfer, message)
    {
    }

    /// <summary>Creates a transfer error with the given message and cause.</summary>
    public StorageException(string message, Exception innerException)
        : this(StorageErrorKind.Transfer, message, innerException)
    {
    }

    /// <summary>The category of the failure.</summary>
    public StorageErrorKind Kind { get; }

    /// <summary>A copy of this error whose message has passed through <paramref name="scrub"/>.</summary>
    internal StorageException WithMessage(string message) => new(Kind, message, InnerException);
}
