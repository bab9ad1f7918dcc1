namespace ServeSharp.Storage.Transfer;

/// <summary>A failure worth retrying (truncated body, checksum mismatch, 5xx): the retry pipeline handles it.</summary>
internal sealed class TransientStorageException : Exception
{
    public TransientStorageException(string message)
        : base(message)
    {
    }

    public TransientStorageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public TransientStorageException()
    {
    }

    /// <summary>When true the data did not match what the store announced (reported as an integrity failure).</summary>
    public bool IsIntegrityFailure { get; init; }
}
