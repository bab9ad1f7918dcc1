using Microsoft.Extensions.Logging;

namespace ServeSharp.Storage.Logging;

/// <summary>Source-generated log messages of the storage library. Every URI passed here is already redacted.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(1, LogLevel.Information, "Copying contents of {Uri} to {Destination}")]
    public static partial void DownloadStarting(ILogger logger, string uri, string destination);

    [LoggerMessage(2, LogLevel.Information, "Successfully copied {Uri} to {Destination} ({Files} files, {Bytes} bytes)")]
    public static partial void DownloadCompleted(ILogger logger, string uri, string destination, int files, long bytes);

    [LoggerMessage(3, LogLevel.Information, "Found object {Key} ({Size} bytes)")]
    public static partial void ObjectFound(ILogger logger, string key, long? size);

    [LoggerMessage(4, LogLevel.Debug, "Skipping {Key}")]
    public static partial void ObjectSkipped(ILogger logger, string key);

    [LoggerMessage(5, LogLevel.Warning, "Attempt {Attempt} for {What} failed ({Reason}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, int attempt, string what, string reason, TimeSpan delay);

    [LoggerMessage(6, LogLevel.Information, "Unpacking {Archive}")]
    public static partial void Unpacking(ILogger logger, string archive);

    [LoggerMessage(7, LogLevel.Information, "Linking {Source} to {Destination}")]
    public static partial void Linking(ILogger logger, string source, string destination);

    [LoggerMessage(8, LogLevel.Warning, "{Message}")]
    public static partial void StorageWarning(ILogger logger, string message);

    [LoggerMessage(9, LogLevel.Information, "Model cache hit for {Uri}: {Directory}")]
    public static partial void CacheHit(ILogger logger, string uri, string directory);

    [LoggerMessage(10, LogLevel.Information, "Evicted {Directory} ({Bytes} bytes) from the model cache")]
    public static partial void CacheEvicted(ILogger logger, string directory, long bytes);

    [LoggerMessage(11, LogLevel.Information, "Skipping {Uri}: /mnt/models is filled by the model agent")]
    public static partial void ModelMountSkipped(ILogger logger, string uri);

    [LoggerMessage(12, LogLevel.Information, "Downloaded {Path} ({Bytes} bytes)")]
    public static partial void FileDownloaded(ILogger logger, string path, long bytes);
}
