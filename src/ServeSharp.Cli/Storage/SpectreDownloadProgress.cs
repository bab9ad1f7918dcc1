using System.Collections.Concurrent;
using ServeSharp.Storage.Transfer;
using Spectre.Console;

namespace ServeSharp.Cli.Storage;

/// <summary>One Spectre.Console progress bar per file, for interactive terminals.</summary>
internal sealed class SpectreDownloadProgress : IDownloadProgress
{
    private readonly ProgressContext _context;
    private readonly ConcurrentDictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);

    public SpectreDownloadProgress(ProgressContext context)
    {
        _context = context;
    }

    public void FileStarted(string relativePath, long? totalBytes)
    {
        var task = _tasks.GetOrAdd(relativePath, path => _context.AddTask(Markup.Escape(path), autoStart: true));
        task.Value = 0;
        task.IsIndeterminate = totalBytes is null;
        task.MaxValue = totalBytes is > 0 ? totalBytes.Value : 1;
    }

    public void BytesWritten(string relativePath, long bytes)
    {
        if (_tasks.TryGetValue(relativePath, out var task))
        {
            task.Increment(bytes);
        }
    }

    public void FileCompleted(string relativePath)
    {
        if (_tasks.TryGetValue(relativePath, out var task))
        {
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
