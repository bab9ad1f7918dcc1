using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using ServeSharp.Local.Reconciling;

namespace ServeSharp.Local.Tests.Infrastructure;

/// <summary>
/// A whole embedded platform on ephemeral ports with the real <c>servesharp serve</c> as its model server, plus the
/// calls an end-to-end test makes: apply through the control API, read status, call through the ingress.
/// </summary>
public sealed class PlatformHarness : IAsyncDisposable
{
    public const string IsvcPath = "/apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices";
    public const string ServingRuntimePath = "/apis/serving.kserve.io/v1alpha1/namespaces/default/servingruntimes";

    private readonly TempDirectory _dir = new();

    private PlatformHarness()
    {
    }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public LocalPlatform Platform { get; private set; } = null!;

    public string DataDirectory => _dir.Path;

    public Uri Api => new($"http://127.0.0.1:{Platform.ApiPort}");

    public Uri Ingress => new($"http://127.0.0.1:{Platform.IngressPort}");

    public static async Task<PlatformHarness> StartAsync()
    {
        var harness = new PlatformHarness();
        harness.Platform = await harness.StartPlatformAsync();
        return harness;
    }

    /// <summary>Stops the daemon (every process) and starts a new one on the same data directory.</summary>
    public async Task RestartAsync()
    {
        await Platform.DisposeAsync();
        Platform = await StartPlatformAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Platform.DisposeAsync();
        Http.Dispose();
        _dir.Dispose();
    }

    public async Task CreateAsync(string path, JsonObject obj)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(Api, path), obj);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<JsonObject> GetIsvcAsync(string name) =>
        (await Http.GetFromJsonAsync<JsonObject>(new Uri(Api, $"{IsvcPath}/{name}")))!;

    public static JsonObject? Condition(JsonObject isvc, string type) =>
        isvc["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c!["type"] == type)?.AsObject();

    public static string? ConditionStatus(JsonObject isvc, string type) => (string?)Condition(isvc, type)?["status"];

    public async Task<JsonObject> WaitAsync(string name, Func<JsonObject, bool> until, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var isvc = await GetIsvcAsync(name);
            if (until(isvc))
            {
                return isvc;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: {isvc["status"]?.ToJsonString()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>POSTs JSON to the ingress with a Host header; returns the status and parsed body.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string host, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Ingress, path)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Host = host;
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>An InferenceService with a <c>model</c> predictor.</summary>
    public static JsonObject ModelIsvc(string name, string format, string storageUri, string? protocol = null)
    {
        var model = new JsonObject { ["modelFormat"] = new JsonObject { ["name"] = format }, ["storageUri"] = storageUri };
        if (protocol is not null)
        {
            model["protocolVersion"] = protocol;
        }

        return new JsonObject
        {
            ["apiVersion"] = "serving.kserve.io/v1beta1",
            ["kind"] = "InferenceService",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["predictor"] = new JsonObject { ["model"] = model } },
        };
    }

    /// <summary>The bundled iris ONNX example's folder as a file:// storage URI.</summary>
    public static string IrisOnnxUri => "file://" + Path.Combine(BuiltApps.RepositoryRoot, "examples", "iris-onnx");

    /// <summary>Runs <c>servesharp ARGS</c> (the real CLI) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(BuiltApps.Servesharp);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private Task<LocalPlatform> StartPlatformAsync() => LocalPlatform.StartAsync(
        new LocalPlatformOptions { DataDirectory = _dir.Path, IngressPort = 0, ApiPort = 0, ServeCommand = ["dotnet", BuiltApps.Servesharp] },
        NullLoggerFactory.Instance,
        TimeProvider.System);
}
