using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServeSharp.Cli.Tests.Serving;

/// <summary><c>servesharp serve --model_dir http(s)://…</c>: the real binary downloads the model through the cache, then serves it.</summary>
public sealed partial class ServeRemoteModelTests : IAsyncLifetime
{
    private readonly string _temp = Directory.CreateTempSubdirectory("servesharp-cli-serve-remote-").FullName;
    private WebApplication _store = null!;
    private string _storeUrl = null!;
    private int _downloads;

    public async Task InitializeAsync()
    {
        var model = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot(), "tests/Runtimes/ServeSharp.Runtimes.Onnx.Tests/Fixtures/linear/model.onnx"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _store = builder.Build();
        _store.MapGet("/models/linear/model.onnx", async (HttpContext context) =>
        {
            Interlocked.Increment(ref _downloads);
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(model);
        });
        await _store.StartAsync();
        _storeUrl = _store.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    [Fact]
    public async Task RemoteModelDir_IsDownloadedThenServed()
    {
        var cache = Path.Combine(_temp, "cache");
        using var process = Start("serve", "--model_name", "linear", "--model_dir", _storeUrl + "/models/linear/model.onnx",
            "--http_port", "0", "--grpc_port", "0", "--model-cache-dir", cache);
        try
        {
            var port = await ReadHttpPortAsync(process);
            using var client = new HttpClient();
            using var ready = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/v2/models/linear/ready"));

            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal(1, _downloads);
            Assert.Single(Directory.EnumerateFiles(cache, "model.onnx", SearchOption.AllDirectories));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task UnreachableModel_FailsWithTheStorageMessage()
    {
        using var process = Start("serve", "--model_dir", _storeUrl + "/models/missing/model.onnx", "--http_port", "0", "--grpc_port", "0",
            "--model-cache-dir", Path.Combine(_temp, "cache"));
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("cannot fetch model", stderr, StringComparison.Ordinal);
        Assert.Contains("returned a 404 response code", stderr, StringComparison.Ordinal);
    }

    private static Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "servesharp.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info)!;
    }

    private static async Task<int> ReadHttpPortAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ReadyLine().Match(line) is { Success: true } match)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("serve exited before it was ready: " + await process.StandardError.ReadToEndAsync());
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

        throw new InvalidOperationException("ServeSharp.slnx not found");
    }

    [GeneratedRegex(@"listening on http port (\d+)")]
    private static partial Regex ReadyLine();
}
