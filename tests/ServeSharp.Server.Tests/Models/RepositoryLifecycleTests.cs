using System.Net;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using ServeSharp.Protocol.Grpc.Generated;
using ServeSharp.Server.Tests.Rest;
using ServeSharp.Server.Tests.TestModels;

namespace ServeSharp.Server.Tests.Models;

/// <summary>Models coming and going at run time through the repository extension, over REST and gRPC.</summary>
public sealed class RepositoryLifecycleTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("servesharp-repo-tests-").FullName;
    private ServeSharp.Server.Hosting.ModelServer _server = null!;
    private HttpClient _http = null!;
    private GrpcChannel _channel = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient _grpc = null!;

    public async Task InitializeAsync()
    {
        // Empty repository at start: KServe's multi-model layout, models arrive later.
        _server = await ServerFixture.StartServerAsync(o => o.ModelDirectory = _root);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_server.HttpPort}") };
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_server.GrpcPort}");
        _grpc = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _channel.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Load_NewDirectory_ServesIt_ThenUnloadRemovesIt()
    {
        var (status, body) = await _http.GetStringAsync2("/v2/models");
        Assert.Equal("""{"models":[]}""", body);

        TestRuntime.CreateModelDirectory(_root, "late", "echo");
        var load = await _http.PostJsonAsync("/v2/repository/models/late/load", "{}");
        Assert.Equal(HttpStatusCode.OK, load.Status);
        Assert.Equal("""{"name":"late","load":true}""", load.Body);

        var predict = await _http.PostJsonAsync("/v1/models/late:predict", """{"instances":[[1]]}""");
        Assert.Equal("""{"predictions":[[1]]}""", predict.Body);

        var unload = await _http.PostJsonAsync("/v2/repository/models/late/unload", "{}");
        Assert.Equal(HttpStatusCode.OK, unload.Status);
        Assert.Equal("""{"name":"late","unload":true}""", unload.Body);

        (status, _) = await _http.GetStringAsync2("/v2/models/late/ready");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Load_UnknownName_Is404_AndUnloadUnknown_Is404()
    {
        var load = await _http.PostJsonAsync("/v2/repository/models/ghost/load", "");
        Assert.Equal(HttpStatusCode.NotFound, load.Status);
        var unload = await _http.PostJsonAsync("/v2/repository/models/ghost/unload", "");
        Assert.Equal(HttpStatusCode.NotFound, unload.Status);
        Assert.Equal("""{"error":"Model with name ghost does not exist."}""", unload.Body);
    }

    [Fact]
    public async Task Load_BrokenModel_Is503WithReason_AndIndexShowsIt()
    {
        TestRuntime.CreateModelDirectory(_root, "bad", "garbage");
        var load = await _http.PostJsonAsync("/v2/repository/models/bad/load", "");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, load.Status);
        Assert.Contains("unknown test model kind 'garbage'", HttpTestExtensions.Error(load.Body));

        var index = await _http.PostJsonAsync("/v2/repository/index", "{}");
        using var doc = JsonDocument.Parse(index.Body);
        var bad = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "bad");
        Assert.Equal("UNAVAILABLE", bad.GetProperty("state").GetString());

        // The server is not ready while no model is.
        var (status, _) = await _http.GetStringAsync2("/v2/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
    }

    [Fact]
    public async Task Load_PathTraversalName_Is400()
    {
        var load = await _http.PostJsonAsync("/v2/repository/models/../load", "");
        Assert.NotEqual(HttpStatusCode.OK, load.Status);
        var dots = await _http.PostJsonAsync("/v2/repository/models/%2E%2E/load", "");
        Assert.NotEqual(HttpStatusCode.OK, dots.Status);
    }

    [Fact]
    public async Task Reload_KeepsServingAndPicksUpChanges()
    {
        var dir = TestRuntime.CreateModelDirectory(_root, "swap", "echo");
        Assert.Equal(HttpStatusCode.OK, (await _http.PostJsonAsync("/v2/repository/models/swap/load", "")).Status);
        File.WriteAllText(Path.Combine(dir, TestRuntime.FileName), "explain");
        Assert.Equal(HttpStatusCode.OK, (await _http.PostJsonAsync("/v2/repository/models/swap/load", "")).Status);
        var explain = await _http.PostJsonAsync("/v1/models/swap:explain", """{"instances":[[1,2]]}""");
        Assert.Equal(HttpStatusCode.OK, explain.Status);
    }

    [Fact]
    public async Task Grpc_RepositoryRpcs_UseTritonLayout()
    {
        TestRuntime.CreateModelDirectory(_root, "g", "echo");
        await _grpc.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "g" });
        Assert.True((await _grpc.ModelReadyAsync(new ModelReadyRequest { Name = "g" })).Ready);
        var index = await _grpc.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true });
        Assert.Contains(index.Models, m => m.Name == "g" && m.State == "READY");
        await _grpc.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "g" });
        var e = await Assert.ThrowsAsync<RpcException>(async () => await _grpc.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "g" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }
}
