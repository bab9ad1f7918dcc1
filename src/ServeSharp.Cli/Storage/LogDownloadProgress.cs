using Microsoft.Extensions.Logging;
using ServeSharp.Storage.Transfer;

namespace ServeSharp.Cli.Storage;

/// <summary>Plain log lines per file (start and completion), for logs and non-interactive output.</summary>
internal sealed partial class LogDownloadProgress : IDownloadProgress
{
    private readonly ILogger _logger;

    public LogDownloadProgress(ILogger logger)
    {
        _logger = logger;
    }

    public void FileStarted(string relativePath, long? totalBytes) => Started(_logger, relativePath, totalBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");

    public void BytesWritten(string relativePath, long bytes)
    {
        // Per-chunk lines would flood the log; completion is reported instead.
    }

    public void FileCompleted(string relativePath) => Completed(_logger, relativePath);

    [LoggerMessage(100, LogLevel.Information, "Downloading {Path} ({Bytes} bytes)")]
    private static partial void Started(ILogger logger, string path, string bytes);

    [LoggerMessage(101, LogLevel.Information, "Finished {Path}")]
    private static partial void Completed(ILogger logger, string path);
}
