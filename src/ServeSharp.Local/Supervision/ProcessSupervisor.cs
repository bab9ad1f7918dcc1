using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace ServeSharp.Local.Supervision;

/// <summary>
/// Runs component replicas as OS processes, grouped per revision. Logs go to
/// <c>{data}/logs/{group}/{replica}.log</c>. Pid files under <c>{data}/run</c> let a restarted daemon kill processes
/// an earlier, crashed daemon left behind. Disposing stops every replica (SIGTERM, then kill of the process tree).
/// </summary>
public sealed partial class ProcessSupervisor : IAsyncDisposable
{
    private readonly SupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PortAllocator _ports = new();
    private readonly Dictionary<string, ReplicaGroup> _groups = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Validates the options, creates the folders and reaps orphans of a previous daemon.</summary>
    public ProcessSupervisor(SupervisorOptions options, TimeProvider time, ILogger<ProcessSupervisor> logger)
    {
        options.Validate();
        _options = options;
        _time = time;
        _logger = logger;
        Directory.CreateDirectory(options.LogDirectory);
        Directory.CreateDirectory(options.RunDirectory);
        ReapOrphans();
    }

    /// <summary>The port allocator replicas use (shared, so other components can take ports without clashes).</summary>
    public PortAllocator Ports => _ports;

    /// <summary>All groups.</summary>
    public IReadOnlyList<ReplicaGroup> Groups
    {
        get
        {
            lock (_lock)
            {
                return _groups.Values.ToList();
            }
        }
    }

    /// <summary>Creates a group with zero replicas, or returns the existing one when its template is the same.</summary>
    /// <exception cref="ArgumentException">Bad name, or a group of that name exists with a different template.</exception>
    public ReplicaGroup GetOrCreateGroup(string name, ProcessTemplate template)
    {
        if (!GroupName().IsMatch(name))
        {
            throw new ArgumentException($"Replica group name \"{name}\" must match {GroupName()} (it names the log folder).", nameof(name));
        }

        if (template.PortNames.Count == 0 || !template.PortNames.Contains(template.Readiness.PortName))
        {
            throw new ArgumentException($"Replica group \"{name}\": the template needs at least one port and the probe port \"{template.Readiness.PortName}\" must be one of them.", nameof(template));
        }

        lock (_lock)
        {
            if (_groups.TryGetValue(name, out var existing))
            {
                return existing.Template.SameAs(template)
                    ? existing
                    : throw new ArgumentException($"Replica group \"{name}\" already exists with a different template.", nameof(template));
            }

            var group = new ReplicaGroup(name, template, _options, _time, _logger, _ports);
            _groups[name] = group;
            return group;
        }
    }

    /// <summary>The group of that name, or null.</summary>
    public ReplicaGroup? FindGroup(string name)
    {
        lock (_lock)
        {
            return _groups.GetValueOrDefault(name);
        }
    }

    /// <summary>Stops every replica of the group and forgets it. No-op when absent.</summary>
    public async Task RemoveGroupAsync(string name)
    {
        ReplicaGroup? group;
        lock (_lock)
        {
            if (!_groups.Remove(name, out group))
            {
                return;
            }
        }

        await group.RemoveAsync().ConfigureAwait(false);
    }

    /// <summary>Stops everything (daemon shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        List<ReplicaGroup> groups;
        lock (_lock)
        {
            groups = _groups.Values.ToList();
            _groups.Clear();
        }

        await Task.WhenAll(groups.Select(g => g.RemoveAsync())).ConfigureAwait(false);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")]
    private static partial Regex GroupName();

    private void ReapOrphans()
    {
        // Handoff sockets of replicas of a previous daemon (the new replicas get the same ids).
        foreach (var socket in Directory.EnumerateFiles(_options.RunDirectory, "*.sock"))
        {
            try
            {
                File.Delete(socket);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A replica deletes a stale file before binding its own.
            }
        }

        foreach (var file in Directory.EnumerateFiles(_options.RunDirectory, "*.pid"))
        {
            try
            {
                var parts = File.ReadAllText(file).Split(' ');
                if (parts.Length == 2
                    && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start)
                    && start >= 0
                    && ProcessTree.StartTicks(pid) == start)
                {
                    foreach (var child in ProcessTree.Descendants(pid))
                    {
                        if (ProcessTree.StartTicks(child) is { } childStart)
                        {
                            ProcessTree.KillIfSame(child, childStart);
                        }
                    }

                    ProcessTree.KillIfSame(pid, start);
                    SupervisorLog.ReapedOrphan(_logger, pid);
                }

                File.Delete(file);
            }
            catch (IOException)
            {
                // Unreadable pid file: leave it; it is only a hint.
            }
        }
    }
}
