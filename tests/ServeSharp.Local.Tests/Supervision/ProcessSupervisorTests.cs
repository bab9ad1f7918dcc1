using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using ServeSharp.Local.Supervision;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Supervision;

public sealed class ProcessSupervisorTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ProcessSupervisor _supervisor = null!;

    public Task InitializeAsync()
    {
        _supervisor = NewSupervisor();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _supervisor.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    private ProcessSupervisor NewSupervisor(TimeSpan? grace = null) => new(
        new SupervisorOptions
        {
            DataDirectory = _dir.Path,
            InitialBackoff = TimeSpan.FromMilliseconds(200),
            StopGracePeriod = grace ?? TimeSpan.FromSeconds(10),
        },
        TimeProvider.System,
        NullLogger<ProcessSupervisor>.Instance);

    /// <summary>Running, as opposed to gone or a zombie (dead, waiting for its parent or init to reap it).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Scale_StartsReplicasOnDistinctPorts_WithExpandedArgsAndEnvironment()
    {
        var env = new Dictionary<string, string> { ["TEST_REPLICA_ENV"] = "from-template" };
        var group = _supervisor.GetOrCreateGroup("iris-predictor-00001", TestReplica.Template(ReadinessProbe.Http("/healthz"), env));

        group.Scale(2);
        var ready = await Eventually.ValueAsync(() => group.Ready, r => r.Length == 2, "two ready replicas");

        Assert.NotEqual(ready[0].HttpPort, ready[1].HttpPort);
        var answers = new List<JsonObject>();
        foreach (var endpoint in ready)
        {
            answers.Add((await _http.GetFromJsonAsync<JsonObject>($"http://127.0.0.1:{endpoint.HttpPort}/anything"))!);
        }

        Assert.Equal(ready.Select(e => e.Id).Order(), answers.Select(a => (string)a["replica"]!).Order());
        Assert.All(answers, a => Assert.Equal("from-template", (string?)a["env"]));
        Assert.All(group.Replicas, r => Assert.Equal(ReplicaPhase.Ready, r.Phase));
    }

    [Fact]
    public async Task CrashedReplica_IsRestartedWithBackoff_AndLogsCaptured()
    {
        var group = _supervisor.GetOrCreateGroup("crashy", TestReplica.Template());
        group.Scale(1);
        var first = (await Eventually.ValueAsync(() => group.Ready, r => r.Length == 1, "ready replica"))[0];
        var firstPid = group.Replicas[0].ProcessId!.Value;

        try
        {
            await _http.PostAsync(new Uri($"http://127.0.0.1:{first.HttpPort}/crash"), null);
        }
        catch (HttpRequestException)
        {
            // The process exits while answering.
        }

        var restarted = await Eventually.ValueAsync(
            () => group.Replicas[0],
            r => r.Restarts == 1 && r.Phase == ReplicaPhase.Ready,
            "replica restarted and ready");
        Assert.Equal(3, restarted.LastExitCode);
        Assert.NotEqual(firstPid, restarted.ProcessId);
        Assert.False(IsAlive(firstPid));
        var answer = await _http.GetFromJsonAsync<JsonObject>($"http://127.0.0.1:{group.Ready[0].HttpPort}/");
        Assert.Equal(first.Id, (string?)answer!["replica"]);

        var log = await File.ReadAllTextAsync(restarted.LogPath);
        Assert.Contains("crashing on request", log, StringComparison.Ordinal);
        Assert.Contains("process exited with code 3", log, StringComparison.Ordinal);
        Assert.Contains($"replica {first.Id} listening", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingCommand_IsCrashLoopBackOffWithReason()
    {
        var group = _supervisor.GetOrCreateGroup("missing", ProcessTemplate.Simple("/nonexistent/model-server", "--port", "$(PORT)"));
        group.Scale(1);

        var status = await Eventually.ValueAsync(() => group.Replicas[0], r => r.LastError is not null, "start failure");

        Assert.Equal(ReplicaPhase.CrashLoopBackOff, status.Phase);
        Assert.Contains("cannot start \"/nonexistent/model-server\"", status.LastError, StringComparison.Ordinal);
        Assert.Empty(group.Ready);
    }

    [Fact]
    public async Task RemoveGroup_StopsGracefully_AndKillsChildrenOfTheReplica()
    {
        var group = _supervisor.GetOrCreateGroup("with-child", TestReplica.Template(null, null, "--spawn-child"));
        group.Scale(1);
        var endpoint = (await Eventually.ValueAsync(() => group.Ready, r => r.Length == 1, "ready replica"))[0];
        var pid = group.Replicas[0].ProcessId!.Value;
        var childPid = int.Parse(await _http.GetStringAsync($"http://127.0.0.1:{endpoint.HttpPort}/child"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(IsAlive(childPid));

        await _supervisor.RemoveGroupAsync("with-child");

        Assert.False(IsAlive(pid));
        Assert.False(IsAlive(childPid));
        Assert.Null(_supervisor.FindGroup("with-child"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "run")));
    }

    [Fact]
    public async Task Stop_KillsReplicaThatIgnoresSigterm_AfterGracePeriod()
    {
        await using var supervisor = NewSupervisor(TimeSpan.FromMilliseconds(300));
        var group = supervisor.GetOrCreateGroup("stubborn", TestReplica.Template(null, null, "--ignore-sigterm"));
        group.Scale(1);
        await Eventually.ValueAsync(() => group.Ready, r => r.Length == 1, "ready replica");
        var pid = group.Replicas[0].ProcessId!.Value;

        await supervisor.RemoveGroupAsync("stubborn");

        Assert.False(IsAlive(pid));
        var log = await File.ReadAllTextAsync(Path.Combine(group.LogDirectory, "stubborn-1.log"));
        Assert.Contains("ignoring SIGTERM", log, StringComparison.Ordinal);
        Assert.Contains("killing the process tree", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScaleDown_StopsSurplusReplicas()
    {
        var group = _supervisor.GetOrCreateGroup("scaled", TestReplica.Template());
        group.Scale(3);
        await Eventually.ValueAsync(() => group.Ready, r => r.Length == 3, "three ready replicas");
        var pids = group.Replicas.Select(r => r.ProcessId!.Value).ToList();

        group.Scale(1);

        Assert.Single(group.Replicas);
        Assert.Single(group.Ready);
        await Eventually.TrueAsync(() => pids.Count(IsAlive) == 1, "surplus processes stopped");
    }

    [Fact]
    public async Task NewSupervisor_ReapsProcessesLeftByACrashedDaemon()
    {
        using var orphan = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        var start = File.ReadAllText($"/proc/{orphan.Id}/stat");
        var fields = start[(start.LastIndexOf(')') + 2)..].Split(' ');
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "run", "old-replica-1.pid"), $"{orphan.Id} {fields[19]}");

        await using var restarted = NewSupervisor();

        await Eventually.TrueAsync(() => orphan.HasExited, "orphan killed");
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "run")));
    }

    [Fact]
    public void GetOrCreateGroup_RejectsBadNamesAndChangedTemplates()
    {
        Assert.Throws<ArgumentException>(() => _supervisor.GetOrCreateGroup("../etc", TestReplica.Template()));
        _supervisor.GetOrCreateGroup("same", TestReplica.Template());
        Assert.Same(_supervisor.FindGroup("same"), _supervisor.GetOrCreateGroup("same", TestReplica.Template()));
        Assert.Throws<ArgumentException>(() => _supervisor.GetOrCreateGroup("same", TestReplica.Template(null, null, "--spawn-child")));
    }
}
