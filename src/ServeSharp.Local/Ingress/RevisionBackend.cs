using System.Collections.Concurrent;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Ingress;

/// <summary>
/// A traffic target of the ingress: one revision of one component, its ready replicas, its request metrics and
/// a way to ask for a replica when it has none (the activator's poke to the autoscaler).
/// </summary>
public sealed class RevisionBackend
{
    private readonly ConcurrentDictionary<string, int> _inFlightByEndpoint = new(StringComparer.Ordinal);
    private int _roundRobin;
    private int _held;

    /// <summary>Creates a backend.</summary>
    public RevisionBackend(string name, IEndpointSource endpoints, TimeProvider time)
    {
        Name = name;
        Endpoints = endpoints;
        Metrics = new RequestMetrics(time);
    }

    /// <summary>Raised when a request arrives and no replica is ready (scale from zero).</summary>
    public event Action<RevisionBackend>? ActivationRequested;

    /// <summary>Revision name, e.g. <c>default/iris-predictor-00001</c>.</summary>
    public string Name { get; }

    /// <summary>Where the ready replicas come from.</summary>
    public IEndpointSource Endpoints { get; }

    /// <summary>Request statistics read by the autoscaler.</summary>
    public RequestMetrics Metrics { get; }

    /// <summary>Requests currently held by the activator for this revision.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>
    /// The ready replica with the fewest in-flight requests through the ingress plus <paramref name="extraLoad"/>
    /// (ties by rotation), or null when none is ready.
    /// </summary>
    public BackendEndpoint? PickEndpoint(Func<BackendEndpoint, long>? extraLoad = null)
    {
        var ready = Endpoints.Ready;
        if (ready.IsEmpty)
        {
            return null;
        }

        var start = (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)ready.Length);
        var best = ready[start];
        var bestLoad = long.MaxValue;
        for (var i = 0; i < ready.Length; i++)
        {
            var candidate = ready[(start + i) % ready.Length];
            var load = _inFlightByEndpoint.GetValueOrDefault(candidate.Id) + (extraLoad?.Invoke(candidate) ?? 0L);
            if (load < bestLoad)
            {
                best = candidate;
                bestLoad = load;
            }
        }

        return best;
    }

    internal void BeginOn(BackendEndpoint endpoint) => _inFlightByEndpoint.AddOrUpdate(endpoint.Id, 1, (_, n) => n + 1);

    internal void EndOn(BackendEndpoint endpoint) => _inFlightByEndpoint.AddOrUpdate(endpoint.Id, 0, (_, n) => Math.Max(0, n - 1));

    internal int EnterHold() => Interlocked.Increment(ref _held);

    internal void ExitHold() => Interlocked.Decrement(ref _held);

    internal void RequestActivation() => ActivationRequested?.Invoke(this);
}
