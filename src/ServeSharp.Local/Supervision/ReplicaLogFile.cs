using System.Globalization;

namespace ServeSharp.Local.Supervision;

/// <summary>Appends a replica's stdout and stderr lines to its log file (read back by <c>servesharp logs</c>).</summary>
internal sealed class ReplicaLogFile : IDisposable
{
    private readonly Lock _lock = new();
    private readonly StreamWriter _writer;
    private bool _closed;

    public ReplicaLogFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _writer = new StreamWriter(stream) { AutoFlush = true };
    }

    public void WriteLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            if (!_closed)
            {
                _writer.WriteLine(line);
            }
        }
    }

    public void Event(DateTimeOffset now, string message) =>
        WriteLine($"--- {now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} {message}");

    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            _writer.Dispose();
        }
    }
}
