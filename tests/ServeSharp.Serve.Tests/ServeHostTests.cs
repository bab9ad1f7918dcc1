using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ServeSharp.Serve.Tests;

/// <summary>
/// servesharp-serve is the serve verb on its own: KServe's arguments as they are, or after a leading <c>serve</c>
/// (so it can stand in for <c>servesharp serve</c>), serve the bundled ONNX example. Runs the managed build of the
/// executable; the native publish compiles the same code.
/// </summary>
public sealed partial class ServeHostTests
{
    private static readonly string ModelDir = Path.Combine(RepositoryRoot(), "examples", "iris-onnx");

    [GeneratedRegex(@"^servesharp serve: listening on http port (\d+) .* grpc port (\d+) .*models: iris \(ready\)$")]
    private static partial Regex ReadyLine();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task KServeArguments_WithOrWithoutLeadingServe_ServeTheModel(bool leadingServe)
    {
        string[] args = ["--model_name=iris", $"--model_dir={ModelDir}", "--http_port=0", "--grpc_port=0", "--host=127.0.0.1"];
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "servesharp-serve.dll"));
        foreach (var arg in leadingServe ? ["serve", .. args] : args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            Match match;
            do
            {
                var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                if (line is null)
                {
                    Assert.Fail("exited before the ready line: " + await stderr);
                }

                match = ReadyLine().Match(line);
            }
            while (!match.Success);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{match.Groups[1].Value}") };
            using var body = new StringContent("""{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}""", Encoding.UTF8, "application/json");
            var response = await http.PostAsync("/v1/models/iris:predict", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("""{"predictions":[1,1]}""", await response.Content.ReadAsStringAsync());

            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
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
    }

    [Fact]
    public async Task BadOption_ExitsTwo_WithTheServeVerbsMessage()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "servesharp-serve.dll"));
        info.ArgumentList.Add("--http_port=99999");

        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--http-port must be between 0 and 65535", stderr, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServeSharp.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("ServeSharp.slnx not found above " + AppContext.BaseDirectory);
    }
}
