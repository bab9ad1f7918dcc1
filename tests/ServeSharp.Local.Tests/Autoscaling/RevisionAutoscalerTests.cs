using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Supervision;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Autoscaling;

/// <summary>Autoscaler + ingress + supervisor with real replica processes and short windows.</summary>
public sealed class RevisionAutoscalerTests : IAsyncLifetime
{
    private static readonly AutoscalerSpec Fast = new()
    {
        Target = 1,
        MinReplicas = 0,
        InitialScale = 0,
        StableWindow = TimeSpan.FromSeconds(2),
        ScaleToZeroGracePeriod = TimeSpan.FromMilliseconds(500),
    };

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private AutoscalingRig _rig = null!;

    public async Task InitializeAsync() => _rig = await AutoscalingRig.StartAsync();

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        _http.Dispose();
    }

    private (ReplicaGroup Group, RevisionBackend Backend) Deploy(string name, AutoscalerSpec spec) =>
        _rig.Deploy(name, TestReplica.Template(), [], spec);

    [Fact]
    public async Task ScaleFromZero_FirstRequestIsAnswered_ThenBackToZeroWhenIdle()
    {
        var (group, _) = Deploy("zero", Fast);
        Assert.Equal(0, group.DesiredReplicas);
        Assert.Empty(group.Replicas);

        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{_rig.Ingress.Port}/serving/default/zero/v1/models/zero:predict"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("zero-", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["replica"], StringComparison.Ordinal);
        await Eventually.TrueAsync(() => group.DesiredReplicas == 0 && group.Replicas.Count == 0, "scaled back to zero after idling");
    }

    [Fact]
    public async Task ScalesUpUnderLoad_AndBackDownAfterwards()
    {
        var (group, _) = Deploy("load", Fast with { MinReplicas = 1, InitialScale = 1 });
        await Eventually.ValueAsync(() => group.Ready, r => r.Length == 1, "initial replica ready");

        // 6 concurrent slow requests against a target of 1 × 70%: the autoscaler must add replicas.
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 6).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var r = await _http.GetAsync(new Uri($"http://127.0.0.1:{_rig.Ingress.Port}/serving/default/load/?sleepMs=300"));
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            }
        }).ToList();

        var peak = await Eventually.ValueAsync(() => group.Ready.Length, n => n >= 3, "scale-up under load");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(peak >= 3);
        await Eventually.TrueAsync(() => group.DesiredReplicas == 1 && group.Replicas.Count == 1, "scaled back down to minReplicas");
    }
}
