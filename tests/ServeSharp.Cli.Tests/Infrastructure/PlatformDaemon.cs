using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ServeSharp.Cli.Tests.Infrastructure;

/// <summary>A real <c>servesharp up</c> daemon on free ports with its own data directory, stopped with SIGTERM.</summary>
public sealed partial class PlatformDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private PlatformDaemon(Process process, string dataDir, int apiPort, int ingressPort, Task<string> stderr)
    {
        _process = process;
        DataDirectory = dataDir;
        ApiPort = apiPort;
        IngressPort = ingressPort;
        _stderr = stderr;
    }

    public string DataDirectory { get; }

    public int ApiPort { get; }

    public int IngressPort { get; }

    public string Server => $"http://127.0.0.1:{ApiPort}";

    public Uri Ingress => new($"http://127.0.0.1:{IngressPort}");

    [GeneratedRegex(@"Control API: http://127\.0\.0\.1:(\d+)\s+Ingress: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex UpLine();

    public static async Task<PlatformDaemon> StartAsync(string dataDir)
    {
        var process = Process.Start(CliProcess.StartInfo(["up", "--data-dir", dataDir, "--ingress-port", "0", "--api-port", "0"]))!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120))
                    ?? throw new InvalidOperationException($"servesharp up exited: {await stderr}");
                var match = UpLine().Match(line);
                if (match.Success)
                {
                    // Keep draining stdout (replica logs go to files, the daemon logs here).
                    _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
                    return new PlatformDaemon(
                        process,
                        dataDir,
                        int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                        int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
                        stderr);
                }
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGTERM, as a user's Ctrl-C or a service manager would; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _ = await _stderr;
        _process.Dispose();
    }
}
