using System.Diagnostics;
using System.Text;

namespace ServeSharp.Storage.Tests.Fixtures;

/// <summary>
/// Runs an npm emulator (installed by tools/install-test-deps.sh into tools/test-deps/node_modules) on a free
/// loopback port and stops exactly that process on dispose.
/// </summary>
public sealed class NodeEmulator : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeEmulator(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<NodeEmulator> StartAsync(string script, Func<int, string[]> arguments)
    {
        var path = Path.Combine(RepositoryRoot.Find(), "tools", "test-deps", "node_modules", script);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: run tools/install-test-deps.sh first.");
        }

        var port = FreePort.Next();
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(path);
        foreach (var argument in arguments(port))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var emulator = new NodeEmulator(process, port);
        process.OutputDataReceived += (_, e) => emulator.Append(e.Data);
        process.ErrorDataReceived += (_, e) => emulator.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await FreePort.WaitUntilListeningAsync(port, () => process.HasExited, TimeSpan.FromSeconds(60));
        }
        catch
        {
            await emulator.DisposeAsync();
            throw new InvalidOperationException($"{script} did not start: {emulator.Output}");
        }

        return emulator;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
