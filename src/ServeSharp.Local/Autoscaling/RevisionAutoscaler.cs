using Microsoft.Extensions.Logging;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Autoscaling;

/// <summary>
/// Runs a <see cref="KpaScaler"/> per registered revision: every tick it collects the revision's request metrics
/// from the ingress, decides, and scales the revision's <see cref="ReplicaGroup"/>. A request that reaches a revision
/// with no ready replica (the activator's poke) scales it from zero at once instead of waiting for the next tick.
/// </summary>
public sealed class RevisionAutoscaler : IDisposable
{
    private readonly AutoscalerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly ProcStatReader _proc;
    private ITimer? _timer;
    private int _ticking;

    /// <summary>Creates the autoscaler; call <see cref="Start"/> to run the loop.</summary>
    public RevisionAutoscaler(AutoscalerOptions options, TimeProvider time, ILogger<RevisionAutoscaler> logger, ProcStatReader? proc = null)
    {
        options.Validate();
        _proc = proc ?? new ProcStatReader();
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Starts ticking.</summary>
    public void Start() => _timer ??= _time.CreateTimer(_ => Tick(), null, _options.TickInterval, _options.TickInterval);

    /// <summary>Puts a revision under autoscaling and scales it to its initial size.</summary>
    public void Register(RevisionBackend backend, ReplicaGroup group, AutoscalerSpec spec)
    {
        IReplicaUsageSampler? usage = spec.Metric switch
        {
            ScaleMetric.Cpu => new CpuUsageSampler(_proc, _time),
            ScaleMetric.Memory => new MemoryUsageSampler(_proc, spec.MemoryRequestBytes),
            _ => null,
        };
        var entry = new Entry(backend, group, new KpaScaler(spec, _time), usage);
        lock (_lock)
        {
            if (_entries.Remove(backend.Name, out var previous))
            {
                previous.Backend.ActivationRequested -= previous.OnActivation;
            }

            _entries[backend.Name] = entry;
        }

        entry.OnActivation = b => Activate(entry);
        backend.ActivationRequested += entry.OnActivation;
        var initial = Math.Max(spec.MinReplicas, spec.InitialScale);
        if (spec.MaxReplicas > 0)
        {
            initial = Math.Min(initial, spec.MaxReplicas);
        }

        group.Scale(initial);
    }

    /// <summary>Stops autoscaling a revision (its group is left as it is).</summary>
    public void Unregister(string revision)
    {
        lock (_lock)
        {
            if (_entries.Remove(revision, out var entry))
            {
                entry.Backend.ActivationRequested -= entry.OnActivation;
            }
        }
    }

    /// <summary>The last decision for a revision, or null.</summary>
    public ScaleDecision? LastDecision(string revision)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(revision, out var e) ? e.Last : null;
        }
    }

    /// <summary>One collection-and-decision round over all revisions (the timer calls this).</summary>
    public void Tick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return;
        }

        try
        {
            List<Entry> entries;
            lock (_lock)
            {
                entries = _entries.Values.ToList();
            }

            foreach (var entry in entries)
            {
                var sample = entry.Backend.Metrics.Collect();
                var value = entry.Scaler.Spec.Metric switch
                {
                    ScaleMetric.Concurrency => sample.AverageConcurrency,
                    ScaleMetric.Rps => sample.RequestsPerSecond,
                    _ => entry.Usage!.Sample(entry.Group.Replicas.Where(r => r.Phase == ReplicaPhase.Ready && r.ProcessId is not null).Select(r => r.ProcessId!.Value)),
                };
                entry.Scaler.Record(value);
                var current = entry.Group.DesiredReplicas;
                var decision = entry.Scaler.Decide(entry.Group.Ready.Length, current);

                // Never scale to zero under a held request: the activator is waiting for a replica.
                var desired = entry.Backend.Metrics.InFlight > 0 ? Math.Max(1, decision.DesiredReplicas) : decision.DesiredReplicas;
                lock (_lock)
                {
                    entry.Last = decision with { DesiredReplicas = desired };
                }

                if (desired != current)
                {
                    AutoscalerLog.Scaling(_logger, entry.Backend.Name, current, desired, decision.StableValue, decision.PanicValue, decision.InPanic);
                    entry.Group.Scale(desired);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // A group was removed between listing and scaling; it is unregistered next.
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _timer?.Dispose();

    private void Activate(Entry entry)
    {
        if (entry.Group.DesiredReplicas > 0)
        {
            return;
        }

        AutoscalerLog.Activating(_logger, entry.Backend.Name);
        try
        {
            entry.Group.Scale(Math.Max(1, entry.Scaler.Spec.MinReplicas));
        }
        catch (ObjectDisposedException)
        {
            // Removed concurrently; the held request times out with a clear message.
        }
    }

    private sealed class Entry(RevisionBackend backend, ReplicaGroup group, KpaScaler scaler, IReplicaUsageSampler? usage)
    {
        public IReplicaUsageSampler? Usage { get; } = usage;

        public RevisionBackend Backend { get; } = backend;

        public ReplicaGroup Group { get; } = group;

        public KpaScaler Scaler { get; } = scaler;

        public Action<RevisionBackend> OnActivation { get; set; } = _ => { };

        public ScaleDecision? Last { get; set; }
    }
}
