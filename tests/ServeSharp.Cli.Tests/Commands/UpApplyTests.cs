using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ServeSharp.Cli.Tests.Infrastructure;

namespace ServeSharp.Cli.Tests.Commands;

/// <summary>The README's main command: <c>servesharp up --apply examples/iris-onnx/isvc.yaml</c>, then a curl.</summary>
public sealed partial class UpApplyTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("servesharp-up-apply-").FullName;

    [GeneratedRegex(@"Ingress: http://127\.0\.0\.1:(\d+)")]
    private static partial Regex IngressLine();

    [Fact]
    public async Task UpWithApply_DeploysTheExample_AnnouncesItsUrl_AndAnswersThroughTheIngress()
    {
        var info = CliProcess.StartInfo(
            ["up", "--data-dir", _dataDir, "--ingress-port", "0", "--api-port", "0", "--apply", "examples/iris-onnx/isvc.yaml"]);
        info.WorkingDirectory = CliProcess.RepositoryRoot; // the example's storageUri is relative to the repository root
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var seen = new StringBuilder();
        try
        {
            int? ingressPort = null;
            string? readyLine = null;
            while (readyLine is null)
            {
                var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120))
                    ?? throw new Xunit.Sdk.XunitException($"servesharp up exited.\nstdout:\n{seen}\nstderr:\n{await stderr}");
                seen.AppendLine(line);
                if (IngressLine().Match(line) is { Success: true } match)
                {
                    ingressPort = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                }

                if (line.StartsWith("inferenceservice/sklearn-iris is ready:", StringComparison.Ordinal))
                {
                    readyLine = line;
                }
            }

            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            Assert.Contains("inferenceservice.serving.kserve.io/sklearn-iris created", seen.ToString(), StringComparison.Ordinal);
            Assert.Contains("http://sklearn-iris.default.example.com", readyLine, StringComparison.Ordinal);
            Assert.NotNull(ingressPort);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ingressPort}") };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/sklearn-iris:predict")
            {
                Content = new StringContent(
                    await File.ReadAllTextAsync(Path.Combine(CliProcess.RepositoryRoot, "examples/iris-onnx/v1-request.json")), Encoding.UTF8, "application/json"),
            };
            request.Headers.Host = "sklearn-iris.default.example.com";
            using var response = await http.SendAsync(request);
            Assert.Equal("""{"predictions":[1,1]}""", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            if (!process.HasExited)
            {
                using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
        }

        Assert.Equal(0, process.ExitCode);
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
