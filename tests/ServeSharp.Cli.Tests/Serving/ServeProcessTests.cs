using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace ServeSharp.Cli.Tests.Serving;

/// <summary>Runs the real <c>servesharp serve</c> binary: ready line with the bound ports, KServe args, SIGTERM exit.</summary>
public sealed partial class ServeProcessTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("servesharp-cli-serve-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [GeneratedRegex(@"http port (\d+) .* grpc port (\d+)")]
    private static partial Regex ReadyLine();

    [Fact]
    public async Task Serve_EmptyModelRepository_PrintsReadyLine_ServesHealth_AndExitsOnSigterm()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "servesharp.dll"), "serve", "--model_name=iris", $"--model_dir={_temp}", "--http_port=0", "--grpc_port=0", "--host=127.0.0.1" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.NotNull(line);
            var match = ReadyLine().Match(line);
            Assert.True(match.Success, line);
            Assert.Contains("models: no models yet", line, StringComparison.Ordinal);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{match.Groups[1].Value}") };
            var ready = await http.GetAsync("/v2/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var load = await http.PostAsync("/v2/repository/models/ghost/load", null);
            Assert.Equal(HttpStatusCode.NotFound, load.StatusCode);

            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            _ = await stderr;
        }

        // KServe's fallback, said on stderr: the directory is not a model, so it is a (here empty) repository.
        var said = await stderr;
        Assert.Contains($"failed to locate model file for model iris under dir {_temp}, trying loading from model repository", said, StringComparison.Ordinal);
        Assert.Contains("it is empty; formats: onnx, sklearn, xgboost, lightgbm", said, StringComparison.Ordinal);
        Assert.Contains("no model is loaded", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ModelDirWithoutModelFile_SaysWhatItHolds_AndServesItsSubdirectories()
    {
        await File.WriteAllTextAsync(Path.Combine(_temp, "README.txt"), "not a model\n");
        Directory.CreateDirectory(Path.Combine(_temp, "ghost"));
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "servesharp.dll"), "serve", $"--model_dir={_temp}", "--http_port=0", "--grpc_port=0", "--host=127.0.0.1" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = new System.Text.StringBuilder();
        try
        {
            // Read stderr until the message arrives (it is written before the ready line), then stop the server.
            while (await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
            {
                stderr.AppendLine(line);
                if (line.Contains("trying loading from model repository", StringComparison.Ordinal))
                {
                    break;
                }
            }

            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        var said = stderr.ToString();
        Assert.Contains($"failed to locate model file for model model under dir {_temp}", said, StringComparison.Ordinal);
        Assert.Contains("it holds README.txt, ghost/; formats: onnx, sklearn, xgboost, lightgbm", said, StringComparison.Ordinal);
        Assert.Contains("its subdirectories are served as models: ghost", said, StringComparison.Ordinal);
        Assert.Contains("pass --model_format", said, StringComparison.Ordinal);
        Assert.Contains("ghost (failed: No runtime recognises the files", await stdout, StringComparison.Ordinal);
    }

    // Whether ONNX Runtime writes its store when telemetry is left on depends on the machine (it did here, not on the
    // CI machine), so only the opt-out is asserted end to end; that a user's ORT_DISABLE_TELEMETRY stands is
    // Runtimes.Onnx.Tests' OnnxTelemetryTests.
    [Fact]
    public async Task Serve_OnnxModel_WritesNoOnnxRuntimeTelemetryStore()
    {
        var home = Directory.CreateDirectory(Path.Combine(_temp, "home")).FullName;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var modelDir = Path.Combine(Infrastructure.CliProcess.RepositoryRoot, "examples", "iris-onnx");
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "servesharp.dll"), "serve", "--model_name=iris", $"--model_dir={modelDir}", "--http_port=0", "--grpc_port=0", "--host=127.0.0.1" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = home;
        info.Environment.Remove("XDG_CACHE_HOME");
        info.Environment.Remove("ORT_DISABLE_TELEMETRY");

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            // The ready line is printed once the model is loaded, i.e. after ONNX Runtime created its environment
            // (log lines come first on the same stream).
            string? line;
            do
            {
                line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            while (line is not null && !line.StartsWith("servesharp serve: listening", StringComparison.Ordinal));

            Assert.Contains("models: iris (ready)", line, StringComparison.Ordinal);
            var store = Path.Combine(home, ".cache", "Microsoft", "DeveloperTools", ".onnxruntime");
            Assert.False(Directory.Exists(store), $"ONNX Runtime wrote its telemetry store at {store}");
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
            _ = await stderr;
        }
    }

    [Fact]
    public async Task Serve_StartedBySupervisor_KeepsRunningWhileItLives_AndShutsDownWhenItIsKilled()
    {
        // A shell stands in for `servesharp up`: it names itself as the supervisor, starts the server as its direct
        // child, prints the child's pid, and waits. SIGKILL gives the shell no chance to stop its child.
        var serve = string.Join(' ', new[] { Path.Combine(AppContext.BaseDirectory, "servesharp.dll"), "serve", $"--model_dir={_temp}", "--http_port=0", "--grpc_port=0", "--host=127.0.0.1" }.Select(a => $"'{a}'"));
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"SERVESHARP_PARENT_PID=$$ dotnet {serve} & echo \"pid $!\"; wait");
        using var shell = Process.Start(info)!;
        var stderr = shell.StandardError.ReadToEndAsync();
        Process? server = null;
        try
        {
            var pidLine = await shell.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            server = Process.GetProcessById(int.Parse(pidLine!["pid ".Length..], System.Globalization.CultureInfo.InvariantCulture));
            var ready = ReadyLine().Match((await shell.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)))!);
            Assert.True(ready.Success);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ready.Groups[1].Value}") };

            // Several watch intervals with the supervisor alive: still serving.
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v2/health/live")).StatusCode);
            Assert.False(server.HasExited);

            shell.Kill();
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (server is { HasExited: false })
            {
                server.Kill();
            }

            if (!shell.HasExited)
            {
                shell.Kill();
            }
        }
    }

    [Fact]
    public async Task Serve_BadOption_ExitsTwoWithMessage()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "servesharp.dll"), "serve", "--http_port=99999" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--http-port must be between 0 and 65535", stderr, StringComparison.Ordinal);
    }
}
