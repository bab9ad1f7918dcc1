using System.Net;
using System.Text.Json.Nodes;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Reconciling;

/// <summary>
/// A ServingRuntime chosen by auto-select runs its kserve-container command as a local process, rendered as KServe
/// renders it ({{.Name}}), with /mnt/models = the fetched model and the container ports mapped to free ports.
/// </summary>
public sealed class ServingRuntimeTests : IAsyncLifetime
{
    private PlatformHarness _platform = null!;

    public async Task InitializeAsync() => _platform = await PlatformHarness.StartAsync();

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    private static JsonObject Runtime(string name, string format, JsonObject container) => new()
    {
        ["apiVersion"] = "serving.kserve.io/v1alpha1",
        ["kind"] = "ServingRuntime",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["supportedModelFormats"] = new JsonArray(new JsonObject { ["name"] = format, ["version"] = "1", ["autoSelect"] = true }),
            ["protocolVersions"] = new JsonArray("v1", "v2"),
            ["containers"] = new JsonArray(container),
        },
    };

    [Fact]
    public async Task AutoSelectedRuntime_RunsItsCommand_AndAnswersThroughTheIngress()
    {
        await _platform.CreateAsync(PlatformHarness.ServingRuntimePath, Runtime("local-onnx", "iris-onnx", new JsonObject
        {
            ["name"] = "kserve-container",
            ["image"] = "example/servesharp:latest",
            ["command"] = new JsonArray("servesharp", "serve"),
            ["args"] = new JsonArray("--model_name={{.Name}}", "--model_dir=/mnt/models", "--model_format=onnx", "--http_port=8080", "--grpc_port=9000", "--host=127.0.0.1"),
            ["ports"] = new JsonArray(
                new JsonObject { ["name"] = "http1", ["containerPort"] = 8080 },
                new JsonObject { ["name"] = "grpc", ["containerPort"] = 9000 }),
            ["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/v2/health/ready", ["port"] = 8080 } },
        }));
        await _platform.CreateAsync(PlatformHarness.IsvcPath, PlatformHarness.ModelIsvc("by-runtime", "iris-onnx", PlatformHarness.IrisOnnxUri));

        var ready = await _platform.WaitAsync("by-runtime", i => PlatformHarness.ConditionStatus(i, "Ready") == "True", "runtime-served service ready");
        Assert.Equal("local-onnx", (string?)ready["status"]!["servingRuntimeName"]);

        // {{.Name}} rendered: the model server serves the model under the InferenceService's name.
        var (status, body) = await _platform.PostAsync("by-runtime.default.example.com", "/v1/models/by-runtime:predict", """{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body!["predictions"]!.AsArray().Count);
        var log = Directory.EnumerateFiles(Path.Combine(_platform.DataDirectory, "logs"), "*.log", SearchOption.AllDirectories).Single(f => f.Contains("by-runtime-predictor", StringComparison.Ordinal));
        Assert.Contains("models: by-runtime (", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RuntimeImageWithoutCommand_SaysItHasNoLocalMapping()
    {
        await _platform.CreateAsync(PlatformHarness.ServingRuntimePath, Runtime("image-only", "image-format", new JsonObject
        {
            ["name"] = "kserve-container",
            ["image"] = "example/model-server:1.0",
            ["args"] = new JsonArray("--model_name={{.Name}}"),
        }));
        await _platform.CreateAsync(PlatformHarness.IsvcPath, PlatformHarness.ModelIsvc("no-mapping", "image-format", PlatformHarness.IrisOnnxUri));

        var status = await _platform.WaitAsync("no-mapping", i => PlatformHarness.Condition(i, "PredictorReady")?["reason"] is not null, "not-ready reason");

        var condition = PlatformHarness.Condition(status, "PredictorReady")!;
        Assert.Equal("InvalidPredictorSpec", (string?)condition["reason"]);
        Assert.Contains("ServingRuntime \"image-only\"", (string?)condition["message"], StringComparison.Ordinal);
        Assert.Contains("example/model-server:1.0\" has no local mapping", (string?)condition["message"], StringComparison.Ordinal);
    }
}
