namespace ServeSharp.Storage.Transfer;

/// <summary>Receives per-file progress (a terminal progress bar or plain log lines). Calls may come from several threads.</summary>
public interface IDownloadProgress
{
    /// <summary>An attempt to download <paramref name="relativePath"/> started (again, after a retry).</summary>
    void FileStarted(string relativePath, long? totalBytes);

    /// <summary><paramref name="bytes"/> more bytes of <paramref name="relativePath"/> were written.</summary>
    void BytesWritten(string relativePath, long bytes);

    /// <summary><paramref name="relativePath"/> is complete and verified.</summary>
    void FileCompleted(string relativePath);
}
