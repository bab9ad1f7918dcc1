using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ServeSharp.Server.Hosting;

namespace ServeSharp.Local.Supervision;

/// <summary>
/// One supervised replica: starts its process, probes readiness, restarts it with exponential backoff when it exits,
/// and on stop sends SIGTERM, waits the grace period, then kills the whole process tree.
/// </summary>
internal sealed partial class Replica
{
    private static readonly HttpClient ProbeClient = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) });
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    private readonly ProcessTemplate _template;
    private readonly SupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PortAllocator _ports;
    private readonly Action _changed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private Task _loop = Task.CompletedTask;
    private ReplicaPhase _phase = ReplicaPhase.Starting;
    private int? _pid;
    private IReadOnlyDictionary<string, int> _currentPorts = new Dictionary<string, int>();
    private readonly string? _handoffSocket;
    private int _restarts;
    private int? _lastExitCode;
    private string? _lastError;
    private DateTimeOffset? _readySince;
    private List<(int Pid, long Start)> _descendants = [];

    public Replica(string id, ProcessTemplate template, SupervisorOptions options, string logPath, TimeProvider time, ILogger logger, PortAllocator ports, Action changed)
    {
        Id = id;
        _template = template;
        _options = options;
        _handoffSocket = HandoffSocketFor(options.RunDirectory, template);
        LogPath = logPath;
        _time = time;
        _logger = logger;
        _ports = ports;
        _changed = changed;
    }

    public string Id { get; }

    public string LogPath { get; }

    public ReplicaPhase Phase
    {
        get
        {
            lock (_lock)
            {
                return _phase;
            }
        }
    }

    public BackendEndpoint? ReadyEndpoint
    {
        get
        {
            lock (_lock)
            {
                return _phase == ReplicaPhase.Ready ? new BackendEndpoint(Id, "127.0.0.1", _currentPorts) { HandoffSocket = _handoffSocket } : null;
            }
        }
    }

    public ReplicaStatus Status
    {
        get
        {
            lock (_lock)
            {
                return new ReplicaStatus(Id, _phase, _pid, _currentPorts, _restarts, _lastExitCode, _lastError, LogPath);
            }
        }
    }

    public void Start() => _loop = Task.Run(RunAsync);

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();

    private static string Expand(string text, IReadOnlyDictionary<string, string> variables) =>
        VariableReference().Replace(text, m => variables.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    private async Task RunAsync()
    {
        using var log = new ReplicaLogFile(LogPath);
        var crashes = 0;
        while (!_stop.IsCancellationRequested)
        {
            var ports = _template.PortNames.ToDictionary(n => n, _ => _ports.Allocate(), StringComparer.Ordinal);
            var variables = new Dictionary<string, string>(_template.Environment, StringComparer.Ordinal)
            {
                ["PORT"] = ports[_template.PortNames[0]].ToString(CultureInfo.InvariantCulture),
                ["REPLICA_ID"] = Id,
            };
            foreach (var (name, port) in ports)
            {
                variables["PORT_" + name.ToUpperInvariant().Replace('-', '_')] = port.ToString(CultureInfo.InvariantCulture);
            }

            var process = TryStart(variables, log, out var startError);
            if (process is null)
            {
                crashes++;
                var delay = Backoff(crashes);
                SetState(ReplicaPhase.CrashLoopBackOff, null, ports, exitCode: null, error: startError);
                log.Event(_time.GetUtcNow(), $"start failed: {startError}");
                SupervisorLog.StartFailed(_logger, Id, startError!, delay);
                if (!await DelayAsync(delay).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => exited.TrySetResult();
            if (process.HasExited)
            {
                exited.TrySetResult();
            }

            var pidFile = WritePidFile(process.Id);
            SetState(ReplicaPhase.Starting, process.Id, ports, _lastExitCode, _lastError);
            log.Event(_time.GetUtcNow(), $"started pid {process.Id} ports {FormatPorts(ports)}");
            SupervisorLog.Started(_logger, Id, process.Id, FormatPorts(ports));

            using var running = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var probing = ProbeLoopAsync(process.Id, ports[_template.Readiness.PortName], running.Token);
            var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (_stop.Token.Register(() => stopRequested.TrySetResult()))
            {
                await Task.WhenAny(exited.Task, stopRequested.Task).ConfigureAwait(false);
            }

            await running.CancelAsync().ConfigureAwait(false);
            await probing.ConfigureAwait(false);
            if (!exited.Task.IsCompleted)
            {
                await TerminateAsync(process, exited.Task, log).ConfigureAwait(false);
                await DrainOutputAsync(process).ConfigureAwait(false);
                DeletePidFile(pidFile);
                DeleteHandoffSocket();
                process.Dispose();
                break;
            }

            var exitCode = process.ExitCode;
            KillLeftoverDescendants();
            await DrainOutputAsync(process).ConfigureAwait(false);
            DeletePidFile(pidFile);
            DeleteHandoffSocket();
            process.Dispose();
            if (_stop.IsCancellationRequested)
            {
                break;
            }

            DateTimeOffset? readySince;
            lock (_lock)
            {
                readySince = _readySince;
            }

            if (readySince is { } since && _time.GetUtcNow() - since >= _options.BackoffReset)
            {
                crashes = 0;
            }

            crashes++;
            var backoff = Backoff(crashes);
            var reason = $"process exited with code {exitCode}";
            // The restart count, exit code and phase change together: a reader never sees the new count next to
            // the dead process's Ready phase.
            SetState(ReplicaPhase.CrashLoopBackOff, null, ports, exitCode, reason, countRestart: true);
            log.Event(_time.GetUtcNow(), $"{reason}; restarting in {backoff.TotalSeconds:0.###}s");
            SupervisorLog.Exited(_logger, Id, exitCode, _restarts, backoff);
            if (!await DelayAsync(backoff).ConfigureAwait(false))
            {
                break;
            }
        }

        SetState(ReplicaPhase.Stopped, null, _currentPorts, _lastExitCode, _lastError);
        log.Event(_time.GetUtcNow(), "stopped");
        SupervisorLog.Stopped(_logger, Id);
    }

    private Process? TryStart(IReadOnlyDictionary<string, string> variables, ReplicaLogFile log, out string? error)
    {
        var startInfo = new ProcessStartInfo(Expand(_template.Command, variables))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (_template.WorkingDirectory is not null)
        {
            startInfo.WorkingDirectory = _template.WorkingDirectory;
        }

        foreach (var argument in _template.Arguments)
        {
            startInfo.ArgumentList.Add(Expand(argument, variables));
        }

        if (_handoffSocket is not null)
        {
            startInfo.ArgumentList.Add("--handoff-socket");
            startInfo.ArgumentList.Add(_handoffSocket);
        }

        foreach (var (name, value) in variables)
        {
            startInfo.Environment[name] = Expand(value, variables);
        }

        // A servesharp model server exits when this supervisor is no longer its parent (see ParentProcessWatch).
        startInfo.Environment[ParentProcessWatch.Variable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        try
        {
            var process = new Process { StartInfo = startInfo };
            process.OutputDataReceived += (_, e) => log.WriteLine(e.Data);
            process.ErrorDataReceived += (_, e) => log.WriteLine(e.Data);
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            error = null;
            return process;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            error = $"cannot start \"{startInfo.FileName}\": {e.Message}";
            return null;
        }
    }

    private async Task ProbeLoopAsync(int pid, int port, CancellationToken cancellationToken)
    {
        var ready = false;
        var failures = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var ok = await ProbeOnceAsync(port, cancellationToken).ConfigureAwait(false);
                if (ok)
                {
                    failures = 0;
                    if (!ready)
                    {
                        ready = true;
                        lock (_lock)
                        {
                            _readySince = _time.GetUtcNow();
                        }

                        SetPhase(ReplicaPhase.Ready);
                        SupervisorLog.Ready(_logger, Id);
                    }
                }
                else if (ready && ++failures >= _options.FailureThreshold)
                {
                    ready = false;
                    lock (_lock)
                    {
                        _readySince = null;
                    }

                    SetPhase(ReplicaPhase.NotReady);
                    SupervisorLog.NotReady(_logger, Id, failures);
                }

                // Remember the process tree while it is alive: once the parent exits its children are re-parented
                // and could no longer be found, and a supervisor must not leave orphans behind.
                var tree = ProcessTree.Descendants(pid)
                    .Select(d => (Pid: d, Start: ProcessTree.StartTicks(d)))
                    .Where(d => d.Start is not null)
                    .Select(d => (d.Pid, d.Start!.Value))
                    .ToList();
                lock (_lock)
                {
                    _descendants = tree;
                }

                await Task.Delay(ready ? _options.ReadyProbeInterval : _options.StartupProbeInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The process exited or is being stopped.
        }
    }

    private async Task<bool> ProbeOnceAsync(int port, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            if (_template.Readiness.HttpPath is { } path)
            {
                using var response = await ProbeClient.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"), timeout.Token).ConfigureAwait(false);
                var code = (int)response.StatusCode;
                return code is >= 200 and < 400;
            }

            using var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private async Task TerminateAsync(Process process, Task exited, ReplicaLogFile log)
    {
        SetPhase(ReplicaPhase.Terminating);
        var tree = ProcessTree.Descendants(process.Id)
            .Select(d => (Pid: d, Start: ProcessTree.StartTicks(d)))
            .Where(d => d.Start is not null)
            .Select(d => (d.Pid, d.Start!.Value))
            .ToList();
        lock (_lock)
        {
            _descendants = _descendants.Union(tree).ToList();
        }

        log.Event(_time.GetUtcNow(), "stopping: SIGTERM");
        if (!ProcessTree.Terminate(process.Id))
        {
            KillTree(process);
        }

        var graceOver = Task.Delay(_options.StopGracePeriod, _time);
        if (await Task.WhenAny(exited, graceOver).ConfigureAwait(false) != exited)
        {
            log.Event(_time.GetUtcNow(), $"still running after {_options.StopGracePeriod.TotalSeconds:0.###}s: killing the process tree");
            KillTree(process);
            await exited.ConfigureAwait(false);
        }

        KillLeftoverDescendants();
    }

    /// <summary>Lets the last lines the process wrote reach the log (bounded: a stray holder of the pipe cannot block us).</summary>
    private static async Task DrainOutputAsync(Process process)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Output still open after the bound: give up on the tail, never on the stop.
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private void KillLeftoverDescendants()
    {
        List<(int Pid, long Start)> tree;
        lock (_lock)
        {
            tree = _descendants;
            _descendants = [];
        }

        foreach (var (pid, start) in tree)
        {
            ProcessTree.KillIfSame(pid, start);
        }

        // SIGKILL is asynchronous: wait (bounded) until the processes are really gone, so "stopped" means stopped.
        var deadline = _time.GetUtcNow() + TimeSpan.FromSeconds(2);
        while (tree.Any(d => ProcessTree.IsRunning(d.Pid, d.Start)) && _time.GetUtcNow() < deadline)
        {
            Thread.Sleep(10);
        }
    }

    private TimeSpan Backoff(int crashes)
    {
        var factor = Math.Pow(2, Math.Min(crashes - 1, 30));
        var ticks = Math.Min(_options.InitialBackoff.Ticks * factor, _options.MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private async Task<bool> DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stop.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private string WritePidFile(int pid)
    {
        var path = Path.Combine(_options.RunDirectory, Id + ".pid");
        var start = ProcessTree.StartTicks(pid);
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"{pid} {start ?? -1}"));
        return path;
    }

    private static void DeletePidFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a stale pid file is harmless because reaping checks the start time.
        }
    }

    /// <summary>A crashed or killed server leaves its socket file behind; a graceful one removes it itself.</summary>
    private void DeleteHandoffSocket()
    {
        if (_handoffSocket is null)
        {
            return;
        }

        try
        {
            File.Delete(_handoffSocket);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next start of this replica replaces the file anyway.
        }
    }

    /// <summary>The replica's handoff socket path: Linux only, and only when it fits a Unix socket address.</summary>
    private string? HandoffSocketFor(string runDirectory, ProcessTemplate template)
    {
        if (!template.Handoff || !ServeSharp.Server.Hosting.Handoff.HandoffInterop.IsSupported)
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(runDirectory, Id + ".sock"));
        return System.Text.Encoding.UTF8.GetByteCount(path) <= ServeSharp.Server.Hosting.Handoff.HandoffEndPoint.MaxPathLength ? path : null;
    }

    private static string FormatPorts(IReadOnlyDictionary<string, int> ports) =>
        string.Join(",", ports.Select(p => $"{p.Key}={p.Value}"));

    private void SetPhase(ReplicaPhase phase)
    {
        lock (_lock)
        {
            if (_phase == phase || _phase == ReplicaPhase.Stopped)
            {
                return;
            }

            _phase = phase;
        }

        _changed();
    }

    private void SetState(ReplicaPhase phase, int? pid, IReadOnlyDictionary<string, int> ports, int? exitCode, string? error, bool countRestart = false)
    {
        lock (_lock)
        {
            if (countRestart)
            {
                _restarts++;
            }

            _phase = phase;
            _pid = pid;
            _currentPorts = ports;
            _lastExitCode = exitCode;
            _lastError = error;
            if (phase != ReplicaPhase.Ready)
            {
                _readySince = null;
            }
        }

        _changed();
    }
}
