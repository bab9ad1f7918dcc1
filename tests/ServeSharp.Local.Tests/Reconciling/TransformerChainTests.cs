using System.Net;
using System.Text.Json.Nodes;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Reconciling;

/// <summary>
/// Transformer → predictor chain through the ingress: the service host reaches the transformer (a real process run
/// from the transformer container's command, given KServe's --model_name/--predictor_host/--http_port), which
/// pre-processes, calls the real ONNX predictor (servesharp serve) at predictor_host and post-processes.
/// </summary>
public sealed class TransformerChainTests : IAsyncLifetime
{
    private PlatformHarness _platform = null!;

    public async Task InitializeAsync() => _platform = await PlatformHarness.StartAsync();

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    // The ONNX iris example behind the test transformer (run from its command, with these arguments).
    private static JsonObject WithTestTransformer(string name, params string[] args)
    {
        var isvc = PlatformHarness.ModelIsvc(name, "onnx", PlatformHarness.IrisOnnxUri);
        isvc["spec"]!["transformer"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "kserve-container",
                ["image"] = "example/iris-transformer",
                ["command"] = new JsonArray("dotnet", BuiltApps.TestTransformer),
                ["args"] = new JsonArray(args.Select(a => (JsonNode)a).ToArray()),
            }),
        };
        return isvc;
    }

    [Fact]
    public async Task ServiceHost_GoesThroughTheTransformer_ToThePredictor()
    {
        await _platform.CreateAsync(PlatformHarness.IsvcPath, WithTestTransformer("chain", "--divide-by", "10"));

        var ready = await _platform.WaitAsync("chain", i => PlatformHarness.ConditionStatus(i, "Ready") == "True", "chain ready");
        Assert.Equal("True", PlatformHarness.ConditionStatus(ready, "TransformerReady"));
        Assert.Equal("True", PlatformHarness.ConditionStatus(ready, "PredictorReady"));
        Assert.Equal("chain-transformer-00001", (string?)ready["status"]!["components"]!["transformer"]!["latestReadyRevision"]);
        Assert.Equal("chain-predictor-00001", (string?)ready["status"]!["components"]!["predictor"]!["latestReadyRevision"]);
        Assert.Equal("http://chain.default.example.com", (string?)ready["status"]!["url"]);

        // Inputs in millimetres through the service host: the transformer divides by 10 and calls the predictor.
        var (status, chained) = await _platform.PostAsync("chain.default.example.com", "/v1/models/chain:predict", """{"instances": [[68, 28, 48, 14], [60, 34, 45, 16]]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("servesharp-test-transformer", (string?)chained!["transformer"]);
        Assert.Equal("[[6.8,2.8,4.8,1.4],[6,3.4,4.5,1.6]]", chained["scaled_instances"]!.ToJsonString());

        // The same centimetre inputs straight to the predictor host give the predictions the chain returned.
        var (directStatus, direct) = await _platform.PostAsync("chain-predictor.default.example.com", "/v1/models/chain:predict", """{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}""");
        Assert.Equal(HttpStatusCode.OK, directStatus);
        Assert.Null(direct!["transformer"]);
        Assert.Equal(direct["predictions"]!.ToJsonString(), chained["predictions"]!.ToJsonString());
        Assert.Equal(2, chained["predictions"]!.AsArray().Count);

        // The transformer also answers on its own component host.
        (status, var own) = await _platform.PostAsync("chain-transformer.default.example.com", "/v1/models/chain:predict", """{"instances": [[68, 28, 48, 14]]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("servesharp-test-transformer", (string?)own!["transformer"]);
        Assert.Equal($"127.0.0.1:{_platform.Platform.IngressPort}/serving/default/chain-predictor", (string?)own["predictor_host"]);
    }

    [Fact]
    public async Task GrpcTransformer_AfterADaemonRestart_DialsTheRestoredPredictorsNewPort()
    {
        await _platform.CreateAsync(PlatformHarness.IsvcPath, WithTestTransformer("grpc-restart", "--divide-by", "10", "--predictor_protocol=grpc-v2"));
        await _platform.WaitAsync("grpc-restart", i => PlatformHarness.ConditionStatus(i, "Ready") == "True", "grpc-restart ready");
        var (status, before) = await _platform.PostAsync("grpc-restart.default.example.com", "/v1/models/grpc-restart:predict", """{"instances": [[68, 28, 48, 14]]}""");
        Assert.True(status == HttpStatusCode.OK, before?.ToJsonString());

        // The restarted daemon restores the revisions from the status (which still says Ready from before, so the test
        // waits for an answer instead); the transformer's revision gets the port the new ingress opened.
        await _platform.RestartAsync();
        JsonNode? after = null;
        await Eventually.TrueAsync(
            async () =>
            {
                (var statusAfter, after) = await _platform.PostAsync("grpc-restart.default.example.com", "/v1/models/grpc-restart:predict", """{"instances": [[68, 28, 48, 14]]}""");
                return statusAfter == HttpStatusCode.OK;
            },
            "the chain answering after the restart");
        Assert.Equal("grpc-v2", (string?)after!["predictor_protocol"]);
        Assert.Equal(before!["predictions"]!.ToJsonString(), after["predictions"]!.ToJsonString());
        Assert.Matches(@"^127\.0\.0\.1:\d+$", (string?)after["predictor_host"]);
    }

    [Fact]
    public async Task GrpcTransformer_DialsItsPredictorsOwnPort_AndItClosesWithTheService()
    {
        // KServe's gRPC transformer example: --protocol grpc-v2 makes the transformer open a gRPC channel to
        // predictor_host, which must then be a plain host:port.
        await _platform.CreateAsync(PlatformHarness.IsvcPath, WithTestTransformer("grpc-chain", "--divide-by", "10", "--protocol", "grpc-v2"));
        await _platform.WaitAsync("grpc-chain", i => PlatformHarness.ConditionStatus(i, "Ready") == "True", "grpc-chain ready");

        var (status, chained) = await _platform.PostAsync("grpc-chain.default.example.com", "/v1/models/grpc-chain:predict", """{"instances": [[68, 28, 48, 14], [60, 34, 45, 16]]}""");
        Assert.True(status == HttpStatusCode.OK, chained?.ToJsonString());
        Assert.Equal("grpc-v2", (string?)chained!["predictor_protocol"]);
        var predictorHost = (string?)chained["predictor_host"];
        Assert.Matches(@"^127\.0\.0\.1:\d+$", predictorHost);
        Assert.NotEqual($"127.0.0.1:{_platform.Platform.IngressPort}", predictorHost);

        // The predictions came over gRPC and equal the predictor's own REST answer to the scaled rows.
        var (directStatus, direct) = await _platform.PostAsync("grpc-chain-predictor.default.example.com", "/v1/models/grpc-chain:predict", """{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}""");
        Assert.Equal(HttpStatusCode.OK, directStatus);
        Assert.Equal(direct!["predictions"]!.ToJsonString(), chained["predictions"]!.ToJsonString());

        // The port reaches the predictor for REST callers too (the path is forwarded as it is).
        var port = new Uri($"http://{predictorHost}");
        using (var ready = await _platform.Http.GetAsync(new Uri(port, "/v2/models/grpc-chain/ready")))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // Deleting the service closes the port.
        Assert.Equal(HttpStatusCode.OK, (await _platform.Http.DeleteAsync(new Uri(_platform.Api, $"{PlatformHarness.IsvcPath}/grpc-chain"))).StatusCode);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(port.Host, port.Port);
                return false;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return true;
            }
        }, "the predictor's gRPC port closed after the delete");
    }
}
