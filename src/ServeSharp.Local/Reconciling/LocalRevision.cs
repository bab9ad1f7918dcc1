using System.Text.Json.Nodes;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Reconciling;

/// <summary>
/// One immutable revision of a component (Knative's Revision): its replicas, its ingress backend, the component spec
/// it was made from (persisted so a restarted daemon can bring it back) and what is known about its readiness.
/// </summary>
internal sealed class LocalRevision(string name, string hash, JsonObject spec, ComponentLaunch launch, ReplicaGroup group, RevisionBackend backend)
{
    private readonly Lock _lock = new();
    private RevisionDiagnosis? _diagnosis;
    private int _diagnosing;

    public string Name { get; } = name;

    public string Hash { get; } = hash;

    /// <summary>The component spec (<c>spec.predictor</c> / <c>spec.transformer</c>) this revision runs.</summary>
    public JsonObject Spec { get; } = spec;

    public ComponentLaunch Launch { get; } = launch;

    public ReplicaGroup Group { get; } = group;

    public RevisionBackend Backend { get; } = backend;

    /// <summary>Knative counts a revision ready once it had a ready replica, even after scaling to zero.</summary>
    public bool EverReady { get; set; }

    /// <summary>True once the model is in place and the autoscaler runs the replicas.</summary>
    public bool Started { get; set; }

    /// <summary>Why the model fetch failed last (retrying), or null.</summary>
    public string? FetchError { get; set; }

    /// <summary>Claims the background diagnosis of this revision; false when one is already scheduled.</summary>
    public bool TryBeginDiagnosis() => Interlocked.CompareExchange(ref _diagnosing, 1, 0) == 0;

    /// <summary>Releases the claim taken by <see cref="TryBeginDiagnosis"/>.</summary>
    public void EndDiagnosis() => Volatile.Write(ref _diagnosing, 0);

    /// <summary>The latest diagnosis of why no replica is ready (written by the background check).</summary>
    public RevisionDiagnosis? Diagnosis
    {
        get
        {
            lock (_lock)
            {
                return _diagnosis;
            }
        }

        set
        {
            lock (_lock)
            {
                _diagnosis = value;
            }
        }
    }
}
