using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using ServeSharp.Local.Reconciling;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests;

/// <summary>The whole embedded platform: control API → reconciler → supervisor (real processes) → ingress.</summary>
public sealed class LocalPlatformTests : IAsyncLifetime
{
    private const string IsvcPath = "/apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices";
    private readonly TempDirectory _dir = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private LocalPlatform _platform = null!;

    private Uri Api => new($"http://127.0.0.1:{_platform.ApiPort}");

    private Uri Ingress => new($"http://127.0.0.1:{_platform.IngressPort}");

    public async Task InitializeAsync() => _platform = await StartAsync();

    public async Task DisposeAsync()
    {
        await _platform.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    private Task<LocalPlatform> StartAsync() => LocalPlatform.StartAsync(
        new LocalPlatformOptions { DataDirectory = _dir.Path, IngressPort = 0, ApiPort = 0, ServeCommand = ["servesharp"] },
        NullLoggerFactory.Instance,
        TimeProvider.System);

    private static JsonObject Isvc(string name, string version, int? canary = null)
    {
        var predictor = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "kserve-container",
                ["image"] = "example/test-replica",
                ["command"] = new JsonArray("dotnet", TestReplica.DllPath),
                ["args"] = new JsonArray("--port", "$(PORT)", "--replica", "$(REPLICA_ID)"),
                ["env"] = new JsonArray(new JsonObject { ["name"] = "TEST_REPLICA_ENV", ["value"] = version }),
            }),
        };
        if (canary is not null)
        {
            predictor["canaryTrafficPercent"] = canary;
        }

        return new JsonObject
        {
            ["apiVersion"] = "serving.kserve.io/v1beta1",
            ["kind"] = "InferenceService",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["predictor"] = predictor },
        };
    }

    private async Task<JsonObject> GetIsvcAsync(string name) =>
        (await _http.GetFromJsonAsync<JsonObject>(new Uri(Api, $"{IsvcPath}/{name}")))!;

    private static string? Condition(JsonObject isvc, string type) =>
        isvc["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c!["type"] == type)?["status"]?.GetValue<string>();

    private async Task<JsonObject> WaitAsync(string name, Func<JsonObject, bool> until, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
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

    private async Task<JsonObject> PredictAsync(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Ingress, "/v1/models/x:predict")) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Host = host;
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private string? TryPredict(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Ingress, "/v1/models/x"));
        request.Headers.Host = host;
        using var response = _http.Send(request);
        return response.StatusCode == HttpStatusCode.OK
            ? JsonNode.Parse(response.Content.ReadAsStream())?["env"]?.GetValue<string>()
            : null;
    }

    [Fact]
    public async Task Apply_Canary_Promote_Delete_ThroughTheApiAndIngress()
    {
        var created = await _http.PostAsJsonAsync(new Uri(Api, IsvcPath), Isvc("iris", "v1"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var ready = await WaitAsync("iris", i => Condition(i, "Ready") == "True", "iris ready");
        Assert.Equal("http://iris.default.example.com", (string?)ready["status"]!["url"]);
        Assert.Equal("iris-predictor-00001", (string?)ready["status"]!["components"]!["predictor"]!["latestReadyRevision"]);
        Assert.Equal("True", Condition(ready, "PredictorReady"));
        Assert.Equal("True", Condition(ready, "IngressReady"));
        var first = await PredictAsync("iris.default.example.com");
        Assert.Equal("v1", (string?)first["env"]);
        using (var byPath = await _http.GetAsync(new Uri(Ingress, "/serving/default/iris/v1/models/iris")))
        {
            Assert.Equal(HttpStatusCode.OK, byPath.StatusCode);
        }

        // Canary: a new revision gets 10% once ready; the rolled-out one keeps 90%.
        using var canary = new StringContent(Isvc("iris", "v2", canary: 10)["spec"]!.ToJsonString().Insert(0, "{\"spec\":") + "}", Encoding.UTF8);
        canary.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, (await _http.PatchAsync(new Uri(Api, $"{IsvcPath}/iris"), canary)).StatusCode);
        var split = await WaitAsync("iris", i => i["status"]?["components"]?["predictor"]?["traffic"]?.AsArray().Count == 2, "canary split");
        var traffic = split["status"]!["components"]!["predictor"]!["traffic"]!.AsArray();
        Assert.Equal(("iris-predictor-00002", 10L), ((string?)traffic[0]!["revisionName"], (long)traffic[0]!["percent"]!));
        Assert.Equal(("iris-predictor-00001", 90L), ((string?)traffic[1]!["revisionName"], (long)traffic[1]!["percent"]!));
        var versions = new List<string?>();
        for (var i = 0; i < 100; i++)
        {
            versions.Add((string?)(await PredictAsync("iris.default.example.com"))["env"]);
        }

        Assert.Equal(10, versions.Count(v => v == "v2"));

        // Promote: drop canaryTrafficPercent → the new revision takes 100% and the old one is stopped.
        using var promote = new StringContent("""{"spec":{"predictor":{"canaryTrafficPercent":null}}}""", Encoding.UTF8);
        promote.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, (await _http.PatchAsync(new Uri(Api, $"{IsvcPath}/iris"), promote)).StatusCode);
        var promoted = await WaitAsync("iris", i => (string?)i["status"]?["components"]?["predictor"]?["latestRolledoutRevision"] == "iris-predictor-00002", "promotion");
        Assert.Equal("iris-predictor-00001", (string?)promoted["status"]!["components"]!["predictor"]!["previousRolledoutRevision"]);
        Assert.Equal("v2", (string?)(await PredictAsync("iris.default.example.com"))["env"]);

        // Delete: route gone, processes stopped.
        Assert.Equal(HttpStatusCode.OK, (await _http.DeleteAsync(new Uri(Api, $"{IsvcPath}/iris"))).StatusCode);
        await Eventually.TrueAsync(() => !Directory.EnumerateFiles(Path.Combine(_dir.Path, "run")).Any(), "replica processes stopped");
        using var gone = new HttpRequestMessage(HttpMethod.Get, new Uri(Ingress, "/v1/models/x"));
        gone.Headers.Host = "iris.default.example.com";
        await Eventually.TrueAsync(() => _http.Send(gone.Clone()).StatusCode == HttpStatusCode.NotFound, "route removed");
    }

    [Fact]
    public async Task ImageWithoutCommand_ReportsWhyInConditions()
    {
        var isvc = Isvc("image-only", "v1");
        isvc["spec"]!["predictor"]!["containers"]![0]!.AsObject().Remove("command");
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync(new Uri(Api, IsvcPath), isvc)).StatusCode);

        var status = await WaitAsync("image-only", i => Condition(i, "Ready") == "False", "not-ready condition");

        var ready = status["status"]!["conditions"]!.AsArray().First(c => (string?)c!["type"] == "Ready")!;
        Assert.Equal("InvalidPredictorSpec", (string?)ready["reason"]);
        Assert.Contains("has no local mapping", (string?)ready["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_KeepsStateAndBringsServicesBack()
    {
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync(new Uri(Api, IsvcPath), Isvc("durable", "v1"))).StatusCode);
        await WaitAsync("durable", i => Condition(i, "Ready") == "True", "ready before restart");

        await _platform.DisposeAsync();
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_dir.Path, "run")));
        _platform = await StartAsync();

        var back = await WaitAsync("durable", i => Condition(i, "Ready") == "True" && i["status"]?["components"]?["predictor"]?["latestReadyRevision"] is not null, "ready after restart");
        Assert.Equal("durable-predictor-00001", (string?)back["status"]!["components"]!["predictor"]!["latestCreatedRevision"]);
        await Eventually.TrueAsync(() => TryPredict("durable.default.example.com") == "v1", "served after restart");
    }
}

internal static class HttpRequestMessageExtensions
{
    public static HttpRequestMessage Clone(this HttpRequestMessage request)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri);
        clone.Headers.Host = request.Headers.Host;
        return clone;
    }
}
