using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Reconciling;

/// <summary>
/// A model that cannot be downloaded or loaded says why in its conditions and in <c>servesharp describe</c>, while a
/// download that hangs blocks nothing and the other services keep serving.
/// </summary>
public sealed class FailureVisibilityTests : IAsyncLifetime
{
    private readonly TempDirectory _models = new();
    private readonly TaskCompletionSource _releaseHang = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PlatformHarness _platform = null!;
    private WebApplication _storage = null!;
    private string _storageUrl = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _storage = builder.Build();
        _storage.MapGet("/missing/model.onnx", () => Results.NotFound());
        _storage.MapGet("/hang/model.onnx", async (HttpContext context) =>
        {
            await _releaseHang.Task.WaitAsync(context.RequestAborted);
            return Results.NotFound();
        });
        await _storage.StartAsync();
        _storageUrl = _storage.Urls.First();
        _platform = await PlatformHarness.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _releaseHang.TrySetResult();
        await _platform.DisposeAsync();
        await _storage.DisposeAsync();
        _models.Dispose();
    }

    [Fact]
    public async Task DownloadAndLoadFailures_ShowTheirReason_WhileAHangingDownloadBlocksNothing()
    {
        var broken = Path.Combine(_models.Path, "broken");
        Directory.CreateDirectory(broken);
        await File.WriteAllTextAsync(Path.Combine(broken, "model.onnx"), "this is not an ONNX model");

        // The hanging download goes first: if fetching ran on the reconcile loop, nothing after it would ever start.
        await _platform.CreateAsync(PlatformHarness.IsvcPath, PlatformHarness.ModelIsvc("hanging", "onnx", $"{_storageUrl}/hang/model.onnx"));
        await _platform.CreateAsync(PlatformHarness.IsvcPath, PlatformHarness.ModelIsvc("missing", "onnx", $"{_storageUrl}/missing/model.onnx"));
        await _platform.CreateAsync(PlatformHarness.IsvcPath, PlatformHarness.ModelIsvc("broken", "onnx", "file://" + broken));
        await _platform.CreateAsync(PlatformHarness.IsvcPath, PlatformHarness.ModelIsvc("healthy", "onnx", PlatformHarness.IrisOnnxUri));

        await _platform.WaitAsync("healthy", i => PlatformHarness.ConditionStatus(i, "Ready") == "True", "healthy ready");
        var (status, body) = await _platform.PostAsync("healthy.default.example.com", "/v1/models/healthy:predict", """{"instances": [[6.8, 2.8, 4.8, 1.4]]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Single(body!["predictions"]!.AsArray());

        var missing = await _platform.WaitAsync("missing", i => (string?)PlatformHarness.Condition(i, "PredictorReady")?["reason"] == "ModelLoadFailed", "download failure reported");
        var missingCondition = PlatformHarness.Condition(missing, "PredictorReady")!;
        Assert.Equal("False", (string?)missingCondition["status"]);
        Assert.Contains("/missing/model.onnx", (string?)missingCondition["message"], StringComparison.Ordinal);
        Assert.Equal("ModelLoadFailed", (string?)PlatformHarness.Condition(missing, "Ready")!["reason"]);
        Assert.Equal("BlockedByFailedLoad", (string?)missing["status"]!["modelStatus"]!["transitionStatus"]);

        var loadFailed = await _platform.WaitAsync("broken", i => (string?)PlatformHarness.Condition(i, "PredictorReady")?["reason"] == "ModelLoadFailed", "load failure reported");
        var loadMessage = (string?)PlatformHarness.Condition(loadFailed, "PredictorReady")!["message"];
        Assert.Contains("Cannot load ONNX model file", loadMessage, StringComparison.Ordinal);
        Assert.Contains("model.onnx", loadMessage, StringComparison.Ordinal);
        Assert.Equal("FailedToLoad", (string?)loadFailed["status"]!["modelStatus"]!["states"]!["targetModelState"]);

        var hanging = await _platform.GetIsvcAsync("hanging");
        Assert.Equal("False", PlatformHarness.ConditionStatus(hanging, "Ready"));

        var (exit, describe, stderr) = await PlatformHarness.RunCliAsync("describe", "isvc", "broken", "--server", _platform.Api.ToString().TrimEnd('/'));
        Assert.True(exit == 0, stderr);
        Assert.Contains("ModelLoadFailed", describe, StringComparison.Ordinal);
        Assert.Contains("Cannot load ONNX model file", describe, StringComparison.Ordinal);

        // The failures changed nothing for the healthy service.
        (status, _) = await _platform.PostAsync("healthy.default.example.com", "/v1/models/healthy:predict", """{"instances": [[6.0, 3.4, 4.5, 1.6]]}""");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task CrashingContainer_ReportsExitAndLogTail()
    {
        var isvc = new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "serving.kserve.io/v1beta1",
            ["kind"] = "InferenceService",
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "crasher" },
            ["spec"] = new System.Text.Json.Nodes.JsonObject
            {
                ["predictor"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["containers"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
                    {
                        ["name"] = "kserve-container",
                        ["image"] = "example/crasher",
                        ["command"] = new System.Text.Json.Nodes.JsonArray("dotnet", TestReplica.DllPath),
                        ["args"] = new System.Text.Json.Nodes.JsonArray("--no-such-flag"),
                    }),
                },
            },
        };
        await _platform.CreateAsync(PlatformHarness.IsvcPath, isvc);

        var status = await _platform.WaitAsync("crasher", i => (string?)PlatformHarness.Condition(i, "PredictorReady")?["reason"] == "CrashLoopBackOff", "crash loop reported");

        var message = (string?)PlatformHarness.Condition(status, "PredictorReady")!["message"];
        Assert.Contains("process exited with code 2", message, StringComparison.Ordinal);
        Assert.Contains("unknown argument --no-such-flag", message, StringComparison.Ordinal);
        Assert.Equal(2, (int?)status["status"]!["modelStatus"]!["lastFailureInfo"]!["exitCode"]);
    }
}
