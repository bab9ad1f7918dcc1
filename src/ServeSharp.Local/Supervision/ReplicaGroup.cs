using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ServeSharp.Local.Supervision;

/// <summary>
/// The replicas of one revision (like a Deployment's pods): all run the same <see cref="ProcessTemplate"/>;
/// <see cref="Scale"/> adds or removes replicas. Exposes its ready replicas to the ingress.
/// </summary>
public sealed class ReplicaGroup : IEndpointSource
{
    private readonly Lock _lock = new();
    private readonly List<Replica> _replicas = [];
    private readonly List<Task> _stopping = [];
    private readonly SupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PortAllocator _ports;
    private ImmutableArray<BackendEndpoint> _ready = [];
    private TaskCompletionSource _readySignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextOrdinal = 1;
    private int _desired;
    private bool _removed;

    internal ReplicaGroup(string name, ProcessTemplate template, SupervisorOptions options, TimeProvider time, ILogger logger, PortAllocator ports)
    {
        Name = name;
        Template = template;
        _options = options;
        _time = time;
        _logger = logger;
        _ports = ports;
    }

    /// <summary>Raised (on a pool thread) whenever a replica changes phase or the group is scaled.</summary>
    public event Action<ReplicaGroup>? Changed;

    /// <summary>Group name (also the log folder name).</summary>
    public string Name { get; }

    /// <summary>What every replica runs.</summary>
    public ProcessTemplate Template { get; }

    /// <summary>The replica count last asked for.</summary>
    public int DesiredReplicas
    {
        get
        {
            lock (_lock)
            {
                return _desired;
            }
        }
    }

    /// <inheritdoc />
    public ImmutableArray<BackendEndpoint> Ready => _ready;

    /// <summary>Snapshots of all current replicas.</summary>
    public IReadOnlyList<ReplicaStatus> Replicas
    {
        get
        {
            lock (_lock)
            {
                return _replicas.Select(r => r.Status).ToList();
            }
        }
    }

    /// <summary>Folder holding this group's replica logs.</summary>
    public string LogDirectory => Path.Combine(_options.LogDirectory, Name);

    /// <inheritdoc />
    public Task WaitForReadyAsync(CancellationToken cancellationToken)
    {
        Task signal;
        lock (_lock)
        {
            if (!_ready.IsEmpty)
            {
                return Task.CompletedTask;
            }

            signal = _readySignal.Task;
        }

        return signal.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Sets the replica count: starts new replicas, or stops the surplus (not-ready ones first, then the newest).
    /// Stopping happens in the background; <see cref="ProcessSupervisor.RemoveGroupAsync"/> waits for it.
    /// </summary>
    public void Scale(int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replicas);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_removed, this);
            _desired = replicas;
            while (_replicas.Count < replicas)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{Name}-{_nextOrdinal++}");
                var replica = new Replica(id, Template, _options, Path.Combine(LogDirectory, id + ".log"), _time, _logger, _ports, OnReplicaChanged);
                _replicas.Add(replica);
                replica.Start();
            }

            if (_replicas.Count > replicas)
            {
                var surplus = _replicas
                    .OrderBy(r => r.Phase == ReplicaPhase.Ready ? 1 : 0)
                    .ThenByDescending(r => _replicas.IndexOf(r))
                    .Take(_replicas.Count - replicas)
                    .ToList();
                foreach (var replica in surplus)
                {
                    _replicas.Remove(replica);
                    _stopping.Add(replica.StopAsync());
                }

                _stopping.RemoveAll(t => t.IsCompleted);
            }
        }

        OnReplicaChanged();
    }

    internal async Task RemoveAsync()
    {
        Task[] pending;
        lock (_lock)
        {
            _removed = true;
            _desired = 0;
            pending = _replicas.Select(r => r.StopAsync()).Concat(_stopping).ToArray();
            _replicas.Clear();
        }

        OnReplicaChanged();
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private void OnReplicaChanged()
    {
        lock (_lock)
        {
            _ready = [.. _replicas.Select(r => r.ReadyEndpoint).OfType<BackendEndpoint>()];
            if (!_ready.IsEmpty)
            {
                _readySignal.TrySetResult();
            }
            else if (_readySignal.Task.IsCompleted)
            {
                _readySignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        Changed?.Invoke(this);
    }
}
