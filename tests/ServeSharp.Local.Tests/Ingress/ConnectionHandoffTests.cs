using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ServeSharp.Local.Tests.Infrastructure;
using ServeSharp.Server.Tests.Hosting.Handoff;

namespace ServeSharp.Local.Tests.Ingress;

/// <summary>
/// Connection handoff end to end (Linux): the real daemon, real <c>servesharp serve</c> replicas, client connections
/// by hand. That a connection was handed off is read from the kernel: its server-side socket belongs to the replica
/// process and no longer to the daemon (this test process).
/// </summary>
public sealed class ConnectionHandoffTests
{
    private const string IrisRow = """{"instances": [[6.8, 2.8, 4.8, 1.4]]}""";

    [Fact]
    public async Task KeepAliveConnection_IsHandedOff_AnotherServicesHostOnItIsAnsweredByThatService_AndTheAutoscalerCountsIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Handoff is Linux-only; elsewhere the ingress proxies (covered by IngressServerTests).
        }

        await using var harness = await PlatformHarness.StartAsync();
        await harness.CreateAsync(PlatformHarness.IsvcPath, PlatformHarness.ModelIsvc("ha", "onnx", PlatformHarness.IrisOnnxUri));
        await harness.CreateAsync(PlatformHarness.IsvcPath, PlatformHarness.ModelIsvc("hb", "onnx", PlatformHarness.IrisOnnxUri));
        await harness.WaitAsync("ha", i => PlatformHarness.ConditionStatus(i, "Ready") == "True", "ha ready");
        await harness.WaitAsync("hb", i => PlatformHarness.ConditionStatus(i, "Ready") == "True", "hb ready");

        using var connection = await RawHttpConnection.ConnectAsync(harness.Platform.IngressPort);
        var first = await connection.SendAsync("POST", "ha.default.example.com", "/v1/models/ha:predict", IrisRow);
        Assert.Equal(200, first.Status);
        Assert.False(first.ClosesConnection);
        await AssertHeldByReplicaAsync(harness, connection, "ha-predictor-00001");

        // Same connection, another service: hb answers (ha's replica would say 404 for model hb), and the connection
        // closes after it so the client's next request is routed afresh.
        var second = await connection.SendAsync("POST", "hb.default.example.com", "/v1/models/hb:predict", IrisRow);
        Assert.Equal(200, second.Status);
        Assert.NotNull(JsonNode.Parse(second.Body)!["predictions"]);
        Assert.True(second.ClosesConnection);

        // Requests served on handed-off connections reach the autoscaler through the replica's reports.
        using var load = await RawHttpConnection.ConnectAsync(harness.Platform.IngressPort);
        await Eventually.TrueAsync(
            async () =>
            {
                Assert.Equal(200, (await load.SendAsync("POST", "ha.default.example.com", "/v1/models/ha:predict", IrisRow)).Status);
                return harness.Platform.Autoscaler.LastDecision("default/ha-predictor-00001") is { StableValue: > 0 };
            },
            "the autoscaler sees ha's handed-off requests");
        await AssertHeldByReplicaAsync(harness, load, "ha-predictor-00001");
    }

    [Fact]
    public async Task EncodedNulInThePath_Is400_NotAConnectionLeftWithoutAnswer()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The handoff decision turned the path into a PathString, which throws for %00; the exception escaped the
        // unawaited routing task, so the connection was neither handed off nor proxied (found by fuzzing the ingress).
        await using var harness = await PlatformHarness.StartAsync();
        await harness.CreateAsync(PlatformHarness.IsvcPath, PlatformHarness.ModelIsvc("hn", "onnx", PlatformHarness.IrisOnnxUri));
        await harness.WaitAsync("hn", i => PlatformHarness.ConditionStatus(i, "Ready") == "True", "hn ready");

        foreach (var host in new[] { "hn.default.example.com", "nobody.default.example.com" })
        {
            using var connection = await RawHttpConnection.ConnectAsync(harness.Platform.IngressPort);
            var response = await connection.SendAsync("GET", host, "/v2/models/h%00n").WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(400, response.Status);
        }
    }

    [Fact]
    public async Task ExplainOnAHandedOffConnection_GoesToTheExplainer()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Handoff is Linux-only; elsewhere the ingress proxies (covered by IngressServerTests).
        }

        await using var harness = await PlatformHarness.StartAsync();
        var isvc = PlatformHarness.ModelIsvc("hx", "onnx", PlatformHarness.IrisOnnxUri);
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
        await harness.CreateAsync(PlatformHarness.IsvcPath, isvc);
        await harness.WaitAsync("hx", i => PlatformHarness.ConditionStatus(i, "Ready") == "True", "hx ready");

        using var connection = await RawHttpConnection.ConnectAsync(harness.Platform.IngressPort);
        Assert.Equal(200, (await connection.SendAsync("POST", "hx.default.example.com", "/v1/models/hx:predict", IrisRow)).Status);
        await AssertHeldByReplicaAsync(harness, connection, "hx-predictor-00001");

        var explained = await connection.SendAsync("POST", "hx.default.example.com", "/v1/models/hx:explain", IrisRow);
        Assert.Equal(200, explained.Status);
        Assert.Equal("explainer", (string?)JsonNode.Parse(explained.Body)!["env"]);
        Assert.True(explained.ClosesConnection);
    }

    [Fact]
    public async Task CanaryAfterHandoff_RevokesTheLease_SoTheSplitAppliesToThatClient()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Handoff is Linux-only; elsewhere the ingress proxies (covered by IngressServerTests).
        }

        await using var harness = await PlatformHarness.StartAsync();
        await harness.CreateAsync(PlatformHarness.IsvcPath, PlatformHarness.ModelIsvc("hc", "onnx", PlatformHarness.IrisOnnxUri));
        await harness.WaitAsync("hc", i => PlatformHarness.ConditionStatus(i, "Ready") == "True", "hc ready");
        using var connection = await RawHttpConnection.ConnectAsync(harness.Platform.IngressPort);
        Assert.Equal(200, (await connection.SendAsync("POST", "hc.default.example.com", "/v1/models/hc:predict", IrisRow)).Status);
        await AssertHeldByReplicaAsync(harness, connection, "hc-predictor-00001");

        // A new revision with 50% of the traffic: the split is per request, so revision 1 may no longer keep this client.
        using var patch = new StringContent("""{"spec":{"predictor":{"canaryTrafficPercent":50,"model":{"env":[{"name":"REVISION","value":"2"}]}}}}""", Encoding.UTF8);
        patch.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using (var patched = await harness.Http.PatchAsync(new Uri(harness.Api, $"{PlatformHarness.IsvcPath}/hc"), patch))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }

        await harness.WaitAsync("hc", i => i["status"]?["components"]?["predictor"]?["traffic"]?.AsArray().Count == 2, "canary split");
        await Eventually.TrueAsync(
            async () =>
            {
                var answer = await connection.SendAsync("POST", "hc.default.example.com", "/v1/models/hc:predict", IrisRow);
                Assert.Equal(200, answer.Status);
                return answer.ClosesConnection;
            },
            "the revoked connection is answered, then closed");

        // A new connection is proxied (two targets): the ingress keeps it.
        using var fresh = await RawHttpConnection.ConnectAsync(harness.Platform.IngressPort);
        Assert.Equal(200, (await fresh.SendAsync("POST", "hc.default.example.com", "/v1/models/hc:predict", IrisRow)).Status);
        Assert.True(SocketOwnership.ServerSideInode(harness.Platform.IngressPort, fresh) is { } inode && SocketOwnership.ProcessHolds(Environment.ProcessId, inode));
    }

    /// <summary>The server side of <paramref name="connection"/> is a descriptor of the replica process, not of the daemon.</summary>
    private static async Task AssertHeldByReplicaAsync(PlatformHarness harness, RawHttpConnection connection, string revision)
    {
        var pidFile = Directory.EnumerateFiles(Path.Combine(harness.DataDirectory, "run"), $"default.{revision}-*.pid").Single();
        var pid = int.Parse(File.ReadAllText(pidFile).Split(' ')[0], CultureInfo.InvariantCulture);
        var inode = SocketOwnership.ServerSideInode(harness.Platform.IngressPort, connection) ?? throw new InvalidOperationException("connection not in /proc/net/tcp");
        Assert.True(SocketOwnership.ProcessHolds(pid, inode), $"replica pid {pid} holds socket {inode}");
        // The daemon closes its copy right after passing it.
        await Eventually.TrueAsync(() => !SocketOwnership.ProcessHolds(Environment.ProcessId, inode), "the daemon closed its copy");
    }
}
