using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ServeSharp.Local.Reconciling;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Reconciling;

/// <summary>
/// TrainedModels and InferenceGraphs are stored but not run by <c>servesharp up</c>; their status says so (Ready
/// False, reason NotSupportedLocally) instead of staying empty, also for ones stored before a restart, and
/// <c>servesharp get</c> shows it.
/// </summary>
public sealed class NotServedResourceStatusTests : IAsyncLifetime
{
    private const string TrainedModelPath = "/apis/serving.kserve.io/v1alpha1/namespaces/default/trainedmodels";
    private const string GraphPath = "/apis/serving.kserve.io/v1alpha1/namespaces/default/inferencegraphs";
    private PlatformHarness _platform = null!;

    public async Task InitializeAsync() => _platform = await PlatformHarness.StartAsync();

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    [Fact]
    public async Task TrainedModelAndGraph_GetReadyFalseSayingTheyAreNotServed_AlsoAfterARestart()
    {
        await _platform.CreateAsync(TrainedModelPath, TrainedModel("tm-1"));
        await _platform.CreateAsync(GraphPath, Graph("graph-1"));

        var tm = await WaitMarkedAsync($"{TrainedModelPath}/tm-1");
        var graph = await WaitMarkedAsync($"{GraphPath}/graph-1");

        Assert.Equal(NotServedResourceStatus.Message("TrainedModel"), (string?)Ready(tm)!["message"]);
        Assert.Equal(NotServedResourceStatus.Message("InferenceGraph"), (string?)Ready(graph)!["message"]);
        Assert.Equal(tm["metadata"]!["generation"]!.ToJsonString(), tm["status"]!["observedGeneration"]!.ToJsonString());

        // Marking is done once: the status write's own watch event does not cause another write.
        var version = (string?)tm["metadata"]!["resourceVersion"];
        await Task.Delay(500);
        Assert.Equal(version, (string?)(await GetAsync($"{TrainedModelPath}/tm-1"))["metadata"]!["resourceVersion"]);

        var (exit, table, stderr) = await PlatformHarness.RunCliAsync("get", "tm", "--server", _platform.Api.ToString().TrimEnd('/'));
        Assert.True(exit == 0, stderr);
        Assert.Contains("tm-1", table, StringComparison.Ordinal);
        Assert.Contains("False", table, StringComparison.Ordinal);

        // A resource stored while the platform was down is marked when it starts again.
        await _platform.RestartAsync();
        await _platform.CreateAsync(TrainedModelPath, TrainedModel("tm-2"));
        await WaitMarkedAsync($"{TrainedModelPath}/tm-2");
        Assert.Equal(NotServedResourceStatus.Reason, (string?)Ready(await GetAsync($"{TrainedModelPath}/tm-1"))!["reason"]);
    }

    private static JsonObject TrainedModel(string name) => new()
    {
        ["apiVersion"] = "serving.kserve.io/v1alpha1",
        ["kind"] = "TrainedModel",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["inferenceService"] = "sklearn-mms",
            ["model"] = new JsonObject { ["storageUri"] = "gs://kfserving-examples/models/sklearn/1.0/model", ["framework"] = "sklearn", ["memory"] = "256Mi" },
        },
    };

    private static JsonObject Graph(string name) => new()
    {
        ["apiVersion"] = "serving.kserve.io/v1alpha1",
        ["kind"] = "InferenceGraph",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["nodes"] = new JsonObject
            {
                ["root"] = new JsonObject
                {
                    ["routerType"] = "Sequence",
                    ["steps"] = new JsonArray(new JsonObject { ["serviceName"] = "first" }, new JsonObject { ["serviceName"] = "second", ["data"] = "$response" }),
                },
            },
        },
    };

    private static JsonObject? Ready(JsonObject obj) => PlatformHarness.Condition(obj, "Ready");

    private async Task<JsonObject> GetAsync(string path) => (await _platform.Http.GetFromJsonAsync<JsonObject>(new Uri(_platform.Api, path)))!;

    private async Task<JsonObject> WaitMarkedAsync(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var obj = await GetAsync(path);
            if ((string?)Ready(obj)?["reason"] == NotServedResourceStatus.Reason)
            {
                Assert.Equal("False", (string?)Ready(obj)!["status"]);
                return obj;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{path} not marked: {obj.ToJsonString()}");
            }

            await Task.Delay(50);
        }
    }
}
