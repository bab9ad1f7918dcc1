using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Supervision;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Ingress;

/// <summary>The real ingress in front of real replica processes.</summary>
public sealed class IngressServerTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private ProcessSupervisor _supervisor = null!;
    private IngressServer _ingress = null!;

    private Uri Ingress => new($"http://127.0.0.1:{_ingress.Port}");

    public async Task InitializeAsync()
    {
        _supervisor = new ProcessSupervisor(
            new SupervisorOptions { DataDirectory = _dir.Path, InitialBackoff = TimeSpan.FromMilliseconds(200) },
            TimeProvider.System,
            NullLogger<ProcessSupervisor>.Instance);
        _ingress = await IngressServer.StartAsync(
            new IngressOptions { Port = 0, ActivationTimeout = TimeSpan.FromSeconds(60) },
            new IngressRouter(),
            TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _ingress.DisposeAsync();
        await _supervisor.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    private async Task<(ReplicaGroup Group, RevisionBackend Backend)> RevisionAsync(string name, int replicas, ProcessTemplate? template = null)
    {
        var group = _supervisor.GetOrCreateGroup(name, template ?? TestReplica.Template());
        group.Scale(replicas);
        if (replicas > 0)
        {
            await Eventually.ValueAsync(() => group.Ready, r => r.Length == replicas, $"{name} ready");
        }

        return (group, new RevisionBackend(name, group, TimeProvider.System));
    }

    private static IngressRoute Route(string name, TrafficSplit split, params string[] extraHosts) =>
        new("default", name, [$"{name}.default.example.com", .. extraHosts], [new IngressRule(null, split)]);

    private async Task<JsonObject> GetAsync(string path, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Ingress, path));
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task RoutesByHostAndByPathPrefix_StrippingThePrefix()
    {
        var (_, backend) = await RevisionAsync("iris-predictor-00001", 1);
        _ingress.Router.Update([Route("iris", TrafficSplit.To(backend))]);

        var byHost = await GetAsync("/v1/models/iris:predict?x=1", "iris.default.example.com");
        Assert.Equal("/v1/models/iris:predict", (string?)byHost["path"]);
        Assert.Equal("?x=1", (string?)byHost["query"]);
        Assert.Equal("iris", (string?)byHost["isvcName"]);

        var byPath = await GetAsync("/serving/default/iris/v2/models/iris/infer");
        Assert.Equal("/v2/models/iris/infer", (string?)byPath["path"]);
        Assert.StartsWith("iris-predictor-00001-", (string?)byPath["replica"], StringComparison.Ordinal);

        using var body = JsonContent.Create(new { instances = new[] { new[] { 1.0, 2.0 } } });
        using var post = await _http.PostAsync(new Uri(Ingress, "/serving/default/iris/v1/models/iris:predict"), body);
        var echoed = (await post.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("POST", (string?)echoed["method"]);
        Assert.Contains("instances", (string?)echoed["body"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownHost_Is404WithExplanation()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Ingress, "/v1/models/x:predict"));
        request.Headers.Host = "nobody.default.example.com";

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains("nobody.default.example.com", (string?)body["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CanarySplit_TenPercent_MeasuredOver2000Requests()
    {
        var (_, stable) = await RevisionAsync("split-predictor-00001", 2);
        var (_, canary) = await RevisionAsync("split-predictor-00002", 1);
        _ingress.Router.Update([Route("split", new TrafficSplit([new TrafficTarget(stable, 90), new TrafficTarget(canary, 10)]))]);

        var counts = new int[2];
        await Parallel.ForEachAsync(Enumerable.Range(0, 2000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Ingress, "/v1/models/split:predict"));
            request.Headers.Host = "split.default.example.com";
            using var response = await _http.SendAsync(request, ct);
            var replica = (string)(await response.Content.ReadFromJsonAsync<JsonObject>(ct))!["replica"]!;
            Interlocked.Increment(ref counts[replica.StartsWith("split-predictor-00002-", StringComparison.Ordinal) ? 1 : 0]);
        });

        var canaryShare = counts[1] / 2000.0;
        Assert.Equal(2000, counts.Sum());
        Assert.InRange(canaryShare, 0.05, 0.15);
    }

    [Fact]
    public async Task TagHost_RoutesToItsRevisionOnly()
    {
        var (_, previous) = await RevisionAsync("tag-predictor-00001", 1);
        var (_, latest) = await RevisionAsync("tag-predictor-00002", 1);
        _ingress.Router.Update(
        [
            Route("tag", new TrafficSplit([new TrafficTarget(previous, 50), new TrafficTarget(latest, 50)])),
            Route("latest-tag", TrafficSplit.To(latest)),
            Route("prev-tag", TrafficSplit.To(previous)),
        ]);

        for (var i = 0; i < 5; i++)
        {
            Assert.StartsWith("tag-predictor-00002-", (string?)(await GetAsync("/", "latest-tag.default.example.com"))["replica"], StringComparison.Ordinal);
            Assert.StartsWith("tag-predictor-00001-", (string?)(await GetAsync("/serving/default/prev-tag/"))["replica"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Http2Grpc_IsProxiedAsH2c_ToTheGrpcPort_OnTheSamePublicPort()
    {
        var (group, backend) = await RevisionAsync("grpc-predictor-00001", 1, TestReplica.WithGrpcPort());
        _ingress.Router.Update([Route("grpc", TrafficSplit.To(backend))]);
        using var h2 = new HttpClient(new SocketsHttpHandler());

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Ingress, "/trailers"))
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.Host = "grpc.default.example.com";
        using var response = await h2.SendAsync(request);
        var echoed = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("HTTP/2", (string?)echoed["protocol"]);
        Assert.Equal(group.Ready[0].GrpcPort, (int)echoed["localPort"]!);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());

        // REST over HTTP/1.1 on the same public port still reaches the http port.
        var rest = await GetAsync("/v2/health/ready", "grpc.default.example.com");
        Assert.Equal("HTTP/1.1", (string?)rest["protocol"]);
        Assert.Equal(group.Ready[0].HttpPort, (int)rest["localPort"]!);
    }

    [Fact]
    public async Task Activator_HoldsRequestsUntilAReplicaIsReady_NoneDropped()
    {
        var (group, backend) = await RevisionAsync("cold-predictor-00001", 0);
        var activations = 0;
        backend.ActivationRequested += _ =>
        {
            Interlocked.Increment(ref activations);
            group.Scale(1);
        };
        _ingress.Router.Update([Route("cold", TrafficSplit.To(backend))]);

        var requests = Enumerable.Range(0, 10).Select(i => GetAsync($"/v1/models/cold:predict?i={i}", "cold.default.example.com")).ToList();
        var answers = await Task.WhenAll(requests);

        Assert.All(answers, a => Assert.StartsWith("cold-predictor-00001-", (string?)a["replica"], StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"?i={i}"), answers.Select(a => (string?)a["query"]));
        Assert.True(activations >= 1);
        Assert.Equal(0, backend.Held);
        Assert.Equal(0, backend.Metrics.InFlight);
    }

    [Fact]
    public async Task Activator_TimesOutWith503_WhenNoReplicaComes()
    {
        await using var ingress = await IngressServer.StartAsync(
            new IngressOptions { Port = 0, ActivationTimeout = TimeSpan.FromMilliseconds(300) },
            new IngressRouter(),
            TimeProvider.System);
        var group = _supervisor.GetOrCreateGroup("never-predictor-00001", TestReplica.Template());
        var backend = new RevisionBackend("never-predictor-00001", group, TimeProvider.System);
        ingress.Router.Update([Route("never", TrafficSplit.To(backend))]);

        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{ingress.Port}/serving/default/never/v1/models/never:predict"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains("did not get a ready replica", (string?)body["error"], StringComparison.Ordinal);
        Assert.Equal(0, backend.Held);
    }
}
