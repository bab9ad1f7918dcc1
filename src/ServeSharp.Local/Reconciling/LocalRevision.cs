using ServeSharp.Local.Ingress;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Reconciling;

/// <summary>One immutable revision of a component: its replicas, its ingress backend and whether it was ever ready.</summary>
internal sealed class LocalRevision(string name, string hash, ReplicaGroup group, RevisionBackend backend)
{
    public string Name { get; } = name;

    public string Hash { get; } = hash;

    public ReplicaGroup Group { get; } = group;

    public RevisionBackend Backend { get; } = backend;

    /// <summary>Knative counts a revision ready once it had a ready replica, even after scaling to zero.</summary>
    public bool EverReady { get; set; }
}
