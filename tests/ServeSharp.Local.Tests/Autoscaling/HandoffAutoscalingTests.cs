using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Supervision;
using ServeSharp.Local.Tests.Infrastructure;
using ServeSharp.Server.Tests.Hosting.Handoff;

namespace ServeSharp.Local.Tests.Autoscaling;

/// <summary>
/// The autoscaler with connection handoff (Linux): real <c>servesharp serve</c> replicas that take the clients'
/// connections from the ingress, so every request the autoscaler sees comes from the replicas' reports.
/// </summary>
public sealed class HandoffAutoscalingTests : IAsyncLifetime
{
    private const string IrisRow = """{"instances": [[6.8, 2.8, 4.8, 1.4]]}""";

    private static readonly AutoscalerSpec Fast = new()
    {
        Target = 1,
        MinReplicas = 0,
        InitialScale = 1,
        MaxReplicas = 2,
        StableWindow = TimeSpan.FromSeconds(2),
        ScaleToZeroGracePeriod = TimeSpan.FromMilliseconds(500),
    };

    private AutoscalingRig _rig = null!;

    public async Task InitializeAsync() => _rig = await AutoscalingRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task HandedOffLoad_ScalesUp_AndTheLeaseIsRevokedSoConnectionsReachTheNewReplica()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Handoff is Linux-only.
        }

        // The replica measures concurrency inside the server: six clients with a request always outstanding show as
        // 0.05–1 on a loaded machine (most of each round trip is in the client and the kernel), so the target is set
        // low enough that any such load asks for both replicas and keeps them.
        var (group, _) = Deploy("load", Fast with { MinReplicas = 1, Target = 0.01 });
        await Eventually.ValueAsync(() => group.Ready, r => r.Length == 1, "initial replica ready");
        var first = group.Replicas.Single().ProcessId!.Value;

        // Six clients, each always with a request outstanding on its own keep-alive connection, reconnecting when told.
        using var stop = new CancellationTokenSource();
        var connections = new RawHttpConnection?[6];
        var load = Enumerable.Range(0, connections.Length).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var connection = connections[i] ??= await RawHttpConnection.ConnectAsync(_rig.Ingress.Port);
                var answer = await connection.SendAsync("POST", "load.default.example.com", "/v1/models/load:predict", IrisRow);
                Assert.Equal(200, answer.Status);
                if (answer.ClosesConnection)
                {
                    connections[i] = null;
                    connection.Dispose();
                }
            }
        })).ToList();

        // The connections are the replica's, so only its reports can tell the autoscaler about the load.
        await Eventually.TrueAsync(() => connections.Any(c => c is not null && SocketOwnership.Holds(first, _rig.Ingress.Port, c)), "load on handed-off connections");
        await Eventually.ValueAsync(() => group.Ready.Length, n => n == 2, "scale-up under handed-off load");
        var second = group.Replicas.Select(r => r.ProcessId).Single(p => p is not null && p != first)!.Value;
        // The lease granted with one replica is revoked; reconnecting clients are handed to either replica.
        await Eventually.TrueAsync(() => connections.Any(c => c is not null && SocketOwnership.Holds(second, _rig.Ingress.Port, c)), "a connection handed to the new replica");

        await stop.CancelAsync();
        await Task.WhenAll(load);
        foreach (var connection in connections)
        {
            connection?.Dispose();
        }
    }

    [Fact]
    public async Task NewConnections_GoToTheReplicaHoldingFewest_SoAScaleUpsNewReplicaGetsThem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Handoff is Linux-only.
        }

        // Scaled by hand (no autoscaler): one replica takes four connections, then a second one starts.
        var (group, _) = Deploy("spread", spec: null);
        group.Scale(1);
        await Eventually.ValueAsync(() => group.Ready, r => r.Length == 1, "first replica ready");
        var first = group.Replicas.Single().ProcessId!.Value;
        var clients = new List<RawHttpConnection>();
        try
        {
            await ConnectAsync(4);
            Assert.All(clients, c => Assert.True(SocketOwnership.Holds(first, _rig.Ingress.Port, c)));

            group.Scale(2);
            await Eventually.ValueAsync(() => group.Ready, r => r.Length == 2, "second replica ready");
            var second = group.Replicas.Select(r => r.ProcessId).Single(p => p is not null && p != first)!.Value;

            // Handed-off requests never pass the ingress, so by its own in-flight counts both replicas look idle and
            // rotation would split the new clients two and two; by the connections each holds, all four go to the
            // new replica.
            await ConnectAsync(4);
            Assert.All(clients.Take(4), c => Assert.True(SocketOwnership.Holds(first, _rig.Ingress.Port, c)));
            Assert.All(clients.Skip(4), c => Assert.True(SocketOwnership.Holds(second, _rig.Ingress.Port, c)));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        async Task ConnectAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var client = await RawHttpConnection.ConnectAsync(_rig.Ingress.Port);
                clients.Add(client);
                Assert.Equal(200, (await client.SendAsync("POST", "spread.default.example.com", "/v1/models/spread:predict", IrisRow)).Status);
            }
        }
    }

    [Fact]
    public async Task IdleHandedOffConnection_DoesNotKeepTheRevisionUp_ScalesToZero_AndTheNextClientIsActivated()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Handoff is Linux-only.
        }

        var (group, backend) = Deploy("idle", Fast with { InitialScale = 0, MaxReplicas = 1 });
        // The first client finds no replica: the activator holds its request (proxied) while one starts.
        using (var activating = await RawHttpConnection.ConnectAsync(_rig.Ingress.Port))
        {
            Assert.Equal(200, (await activating.SendAsync("POST", "idle.default.example.com", "/v1/models/idle:predict", IrisRow)).Status);
        }

        var pid = group.Replicas.Single().ProcessId!.Value;
        using var idle = await RawHttpConnection.ConnectAsync(_rig.Ingress.Port);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await idle.SendAsync("POST", "idle.default.example.com", "/v1/models/idle:predict", IrisRow)).Status);
        }

        Assert.True(SocketOwnership.Holds(pid, _rig.Ingress.Port, idle));
        await Eventually.TrueAsync(() => group.DesiredReplicas == 0 && group.Replicas.Count == 0, "scaled to zero with an idle handed-off connection open");
        Assert.Equal(0, backend.Metrics.InFlight);

        // The stopping replica answers what reaches it while it drains, then its exit closes the connection; a new
        // client is held by the activator and answered.
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    Assert.Equal(200, (await idle.SendAsync("POST", "idle.default.example.com", "/v1/models/idle:predict", IrisRow)).Status);
                    return false;
                }
                catch (IOException)
                {
                    return true;
                }
            },
            "the stopped replica's connection closed");
        Assert.False(SocketOwnership.Holds(pid, _rig.Ingress.Port, idle));
        using var fresh = await RawHttpConnection.ConnectAsync(_rig.Ingress.Port);
        Assert.Equal(200, (await fresh.SendAsync("POST", "idle.default.example.com", "/v1/models/idle:predict", IrisRow)).Status);
    }

    private (ReplicaGroup Group, RevisionBackend Backend) Deploy(string name, AutoscalerSpec? spec)
    {
        var template = new ProcessTemplate(
            "dotnet",
            [BuiltApps.Servesharp, "serve", "--model_name", name, "--model_dir", Path.Combine(BuiltApps.RepositoryRoot, "examples", "iris-onnx"), "--model_format", "onnx",
                "--http_port", "$(PORT_HTTP)", "--grpc_port", "$(PORT_GRPC)", "--host", "127.0.0.1"],
            new Dictionary<string, string>(),
            null,
            ["http", "grpc"],
            ReadinessProbe.Http("/v2/health/ready"),
            Handoff: true);
        return _rig.Deploy(name, template, [$"{name}.default.example.com"], spec);
    }
}
