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

    private static JsonObject Replica(string version, params JsonObject[] env) => new()
    {
        ["name"] = "kserve-container",
        ["image"] = "example/test-replica",
        ["command"] = new JsonArray("dotnet", TestReplica.DllPath),
        ["args"] = new JsonArray("--port", "$(PORT)", "--replica", "$(REPLICA_ID)"),
        ["env"] = new JsonArray([new JsonObject { ["name"] = "TEST_REPLICA_ENV", ["value"] = version }, .. env]),
    };

    private static JsonObject Isvc(string name, string version, int? canary = null)
    {
        var predictor = new JsonObject
        {
            ["containers"] = new JsonArray(Replica(version)),
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

    private async Task<JsonObject> PredictAsync(string host, string path = "/v1/models/x:predict")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Ingress, path)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        if (host.Length > 0)
        {
            request.Headers.Host = host;
        }

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
        var canaryShare = await ShareAsync("iris.default.example.com", "v2", 2000);
        Assert.InRange(canaryShare, 0.05, 0.15);

        // Roll back (KServe: canaryTrafficPercent 0): the previous revision takes everything, the canary stays created.
        await PatchAsync("iris", """{"spec":{"predictor":{"canaryTrafficPercent":0}}}""");
        await WaitAsync("iris", i => i["status"]?["components"]?["predictor"]?["traffic"]?.AsArray().Any(t => (string?)t!["revisionName"] == "iris-predictor-00001" && (long?)t["percent"] == 100) == true, "rollback");
        Assert.Equal(0.0, await ShareAsync("iris.default.example.com", "v2", 50));

        // Promote by setting 100: the new revision takes 100% and becomes the rolled-out one.
        await PatchAsync("iris", """{"spec":{"predictor":{"canaryTrafficPercent":100}}}""");
        var promoted = await WaitAsync("iris", i => (string?)i["status"]?["components"]?["predictor"]?["latestRolledoutRevision"] == "iris-predictor-00002", "promotion");
        Assert.Equal("iris-predictor-00001", (string?)promoted["status"]!["components"]!["predictor"]!["previousRolledoutRevision"]);
        Assert.Equal(1.0, await ShareAsync("iris.default.example.com", "v2", 50));

        // Delete: route gone, processes stopped.
        Assert.Equal(HttpStatusCode.OK, (await _http.DeleteAsync(new Uri(Api, $"{IsvcPath}/iris"))).StatusCode);
        await Eventually.TrueAsync(() => !Directory.EnumerateFiles(Path.Combine(_dir.Path, "run")).Any(), "replica processes stopped");
        using var gone = new HttpRequestMessage(HttpMethod.Get, new Uri(Ingress, "/v1/models/x"));
        gone.Headers.Host = "iris.default.example.com";
        await Eventually.TrueAsync(() => _http.Send(gone.Clone()).StatusCode == HttpStatusCode.NotFound, "route removed");
    }

    private async Task PatchAsync(string name, string json)
    {
        using var patch = new StringContent(json, Encoding.UTF8);
        patch.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await _http.PatchAsync(new Uri(Api, $"{IsvcPath}/{name}"), patch);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Share of <paramref name="count"/> predictions (8 in parallel) answered by replicas whose env is <paramref name="version"/>.</summary>
    private async Task<double> ShareAsync(string host, string version, int count)
    {
        var hits = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            if ((string?)(await PredictAsync(host))["env"] == version)
            {
                Interlocked.Increment(ref hits);
            }
        });
        return hits / (double)count;
    }

    [Fact]
    public async Task Explainer_ExplainGoesToTheExplainer_RestToThePredictor_RemovedExplainerFallsBack()
    {
        var isvc = Isvc("exp", "predictor");
        isvc["spec"]!["explainer"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "kserve-container",
                ["image"] = "example/explainer",
                ["command"] = new JsonArray("dotnet", TestReplica.DllPath),
                ["args"] = new JsonArray("--replica", "$(REPLICA_ID)"),
                ["env"] = new JsonArray(new JsonObject { ["name"] = "TEST_REPLICA_ENV", ["value"] = "explainer" }),
            }),
        };
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync(new Uri(Api, IsvcPath), isvc)).StatusCode);

        var ready = await WaitAsync("exp", i => Condition(i, "Ready") == "True", "exp ready");
        Assert.Equal("True", Condition(ready, "ExplainerReady"));
        Assert.Equal("exp-explainer-00001", (string?)ready["status"]!["components"]!["explainer"]!["latestReadyRevision"]);

        // KServe's rule: ^/v1/models/[\w-]+:explain$ goes to the explainer, by host and by path prefix.
        var explained = await PredictAsync("exp.default.example.com", "/v1/models/exp:explain");
        Assert.Equal("explainer", (string?)explained["env"]);
        Assert.Equal("exp", (string?)explained["modelName"]);
        Assert.Equal("explainer", (string?)(await PredictAsync(string.Empty, "/serving/default/exp/v1/models/exp:explain"))["env"]);
        var byExplainerHost = await PredictAsync("exp-explainer.default.example.com", "/v1/models/exp:explain");
        Assert.Equal(("explainer", "exp"), ((string?)byExplainerHost["env"], (string?)byExplainerHost["isvcName"]));
        Assert.Equal("predictor", (string?)(await PredictAsync("exp.default.example.com", "/v1/models/exp:predict"))["env"]);
        Assert.Equal("predictor", (string?)(await PredictAsync("exp.default.example.com", "/v2/models/exp/infer"))["env"]);

        // The explainer got --predictor_host, and that address reaches the predictor through the ingress.
        var predictorHost = (string?)explained["predictorHost"];
        Assert.Equal($"127.0.0.1:{_platform.IngressPort}/serving/default/exp-predictor", predictorHost);
        Assert.Equal("predictor", (string?)(await _http.GetFromJsonAsync<JsonObject>(new Uri($"http://{predictorHost}/v1/models/exp")))!["env"]);

        // Without an explainer, :explain goes to the predictor (a model server answers it with KServe's 501).
        await PatchAsync("exp", """{"spec":{"explainer":null}}""");
        await WaitAsync("exp", i => i["status"]?["components"]?["explainer"] is null && Condition(i, "ExplainerReady") is null, "explainer removed");
        Assert.Equal("predictor", (string?)(await PredictAsync("exp.default.example.com", "/v1/models/exp:explain"))["env"]);
        await Eventually.TrueAsync(() => !Directory.EnumerateFiles(Path.Combine(_dir.Path, "run")).Any(f => Path.GetFileName(f).Contains("explainer", StringComparison.Ordinal)), "explainer processes stopped");
    }

    [Fact]
    public async Task StandardCanaryList_SplitsByTrafficPercent_AndRemovingItLeavesTheStablePredictor()
    {
        var stableEnv = new JsonObject { ["name"] = "STORAGE_URI", ["value"] = _dir.Path };
        var isvc = Isvc("std", "stable");
        isvc["metadata"]!["annotations"] = new JsonObject { ["serving.kserve.io/deploymentMode"] = "Standard" };
        isvc["spec"]!["predictor"] = new JsonObject { ["containers"] = new JsonArray(Replica("stable", stableEnv)) };
        isvc["spec"]!["canary"] = new JsonArray(new JsonObject
        {
            ["predictor"] = new JsonObject { ["name"] = "v2", ["containers"] = new JsonArray(Replica("v2")) },
            ["trafficPercent"] = 20,
        });
        var created = await _http.PostAsJsonAsync(new Uri(Api, IsvcPath), isvc);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var ready = await WaitAsync("std", i => Condition(i, "Ready") == "True" && Condition(i, "CanaryPredictorReady") == "True", "stable and canary ready");
        Assert.Equal("Standard", (string?)ready["status"]!["deploymentMode"]);
        var canaryStatus = ready["status"]!["canaryStatuses"]![0]!;
        Assert.Equal(("v2", true, 20L), ((string?)canaryStatus["name"], (bool)canaryStatus["ready"]!, (long)canaryStatus["trafficPercent"]!));
        Assert.Equal("AllCanariesReady", (string?)ready["status"]!["conditions"]!.AsArray().First(c => (string?)c!["type"] == "CanaryPredictorReady")!["reason"]);

        Assert.InRange(await ShareAsync("std.default.example.com", "v2", 500), 0.15, 0.25);

        // Dropping the list: the stable predictor takes everything and the canary's processes stop.
        await PatchAsync("std", """{"spec":{"canary":null}}""");
        await WaitAsync("std", i => i["status"]?["canaryStatuses"] is null, "canary removed");
        Assert.Equal(0.0, await ShareAsync("std.default.example.com", "v2", 50));
        await Eventually.TrueAsync(() => !Directory.EnumerateFiles(Path.Combine(_dir.Path, "run")).Any(f => Path.GetFileName(f).Contains("std-v2-predictor", StringComparison.Ordinal)), "canary processes stopped");
    }

    [Fact]
    public async Task CpuScaleMetric_AddsAReplicaWhenTheReplicaBurnsCpu()
    {
        var isvc = Isvc("cpu", "v1");
        isvc["metadata"]!["annotations"] = new JsonObject { ["serving.kserve.io/deploymentMode"] = "Standard" };
        var predictor = isvc["spec"]!["predictor"]!.AsObject();
        predictor["scaleMetric"] = "cpu";
        predictor["scaleTarget"] = 10;
        predictor["minReplicas"] = 1;
        predictor["maxReplicas"] = 2;
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync(new Uri(Api, IsvcPath), isvc)).StatusCode);
        await WaitAsync("cpu", i => Condition(i, "Ready") == "True", "cpu ready");

        // Two clients keep the replica spinning (100 ms of CPU per request): well over 10% of a core.
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await PredictAsync("cpu.default.example.com", "/v1/models/cpu:predict?burnMs=100");
            }
        })).ToList();
        try
        {
            await WaitAsync("cpu", i => (int?)i["status"]?["modelStatus"]?["copies"]?["totalCopies"] == 2, "second replica from cpu load");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load);
        }
    }

    [Fact]
    public async Task MemoryScaleMetric_AddsAReplicaWhenTheReplicaHoldsMoreThanTheTargetShareOfItsRequest()
    {
        var isvc = Isvc("mem", "v1");
        isvc["metadata"]!["annotations"] = new JsonObject { ["serving.kserve.io/deploymentMode"] = "Standard" };
        var predictor = isvc["spec"]!["predictor"]!.AsObject();
        predictor["scaleMetric"] = "memory";
        predictor["scaleTarget"] = 50;
        predictor["minReplicas"] = 1;
        predictor["maxReplicas"] = 2;

        // A 4 MiB request: any replica process holds several times that, so one replica is far above 50%.
        predictor["containers"]![0]!["resources"] = new JsonObject { ["requests"] = new JsonObject { ["memory"] = "4Mi" } };
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync(new Uri(Api, IsvcPath), isvc)).StatusCode);

        await WaitAsync("mem", i => (int?)i["status"]?["modelStatus"]?["copies"]?["totalCopies"] == 2, "second replica from memory use");
    }

    [Fact]
    public async Task InitialScaleZero_ReadyWithoutReplicas_FirstRequestStartsOneAndIsAnswered()
    {
        var isvc = Isvc("cold", "v1");
        isvc["metadata"]!["annotations"] = new JsonObject { ["autoscaling.knative.dev/initial-scale"] = "0" };
        isvc["spec"]!["predictor"]!["minReplicas"] = 0;
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync(new Uri(Api, IsvcPath), isvc)).StatusCode);

        var ready = await WaitAsync("cold", i => Condition(i, "Ready") == "True", "cold ready at zero");
        Assert.Equal(0, (int?)ready["status"]!["modelStatus"]!["copies"]!["totalCopies"]);
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(_dir.Path, "run")), f => Path.GetFileName(f).StartsWith("default.cold-", StringComparison.Ordinal));

        Assert.Equal("v1", (string?)(await PredictAsync("cold.default.example.com"))["env"]);
        Assert.Contains(Directory.EnumerateFiles(Path.Combine(_dir.Path, "run")), f => Path.GetFileName(f).StartsWith("default.cold-predictor-00001-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadKnativeAnnotation_IsReportedInConditions()
    {
        var isvc = Isvc("badwin", "v1");
        isvc["metadata"]!["annotations"] = new JsonObject { ["autoscaling.knative.dev/window"] = "2s" };
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync(new Uri(Api, IsvcPath), isvc)).StatusCode);

        var status = await WaitAsync("badwin", i => Condition(i, "Ready") == "False" && i["status"]?["modelStatus"]?["lastFailureInfo"] is not null, "not ready");
        var ready = status["status"]!["conditions"]!.AsArray().First(c => (string?)c!["type"] == "Ready")!;
        Assert.Equal("InvalidAutoscalingAnnotation", (string?)ready["reason"]);
        Assert.Contains("autoscaling.knative.dev/window", (string?)ready["message"], StringComparison.Ordinal);
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
    public async Task Restart_KeepsCanarySplitPreviousRevisionAndTags_AndBringsServicesBack()
    {
        var isvc = Isvc("durable", "v1");
        isvc["metadata"]!["annotations"] = new JsonObject { ["serving.kserve.io/enable-tag-routing"] = "true" };
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync(new Uri(Api, IsvcPath), isvc)).StatusCode);
        await WaitAsync("durable", i => Condition(i, "Ready") == "True", "ready before restart");
        await PatchAsync("durable", $$"""{"spec":{{Isvc("durable", "v2", canary: 10)["spec"]!.ToJsonString()}}}""");
        var before = await WaitAsync("durable", i => i["status"]?["components"]?["predictor"]?["traffic"]?.AsArray().Any(t => (long?)t!["percent"] == 10) == true, "canary split before restart");
        var trafficBefore = before["status"]!["components"]!["predictor"]!["traffic"]!.ToJsonString();

        await _platform.DisposeAsync();
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_dir.Path, "run")));
        _platform = await StartAsync();

        // Both revisions come back with their own specs, and the same split, tags and rollout history.
        var back = await WaitAsync(
            "durable",
            i => Condition(i, "Ready") == "True" && i["status"]?["components"]?["predictor"]?["traffic"]?.ToJsonString() == trafficBefore,
            "same traffic after restart");
        var predictor = back["status"]!["components"]!["predictor"]!;
        Assert.Equal("durable-predictor-00002", (string?)predictor["latestCreatedRevision"]);
        Assert.Equal("durable-predictor-00001", (string?)predictor["latestRolledoutRevision"]);
        var split = predictor["traffic"]!.AsArray().Select(t => ((string?)t!["revisionName"], (long?)t["percent"], (string?)t["tag"])).ToList();
        Assert.Equal([("durable-predictor-00002", 10L, "latest"), ("durable-predictor-00001", 90L, "prev")], split);
        await Eventually.TrueAsync(() => TryPredict("prev-durable.default.example.com") == "v1", "previous revision served after restart");
        await Eventually.TrueAsync(() => TryPredict("latest-durable.default.example.com") == "v2", "canary revision served after restart");
        Assert.InRange(await ShareAsync("durable.default.example.com", "v2", 400), 0.05, 0.15);
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
