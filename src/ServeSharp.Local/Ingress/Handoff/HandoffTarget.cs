namespace ServeSharp.Local.Ingress.Handoff;

/// <summary>Where a qualifying connection goes and what the replica may serve on it.</summary>
internal sealed record HandoffTarget(RevisionBackend Backend, string ServiceName, string Namespace, IReadOnlyList<string> Hosts, IReadOnlyList<string> ForwardPatterns)
{
    /// <summary>Same key, same lease (while its backend is the same object).</summary>
    public string Key { get; } = $"{Backend.Name}\n{Namespace}/{ServiceName}\n{string.Join(',', Hosts)}\n{string.Join('\n', ForwardPatterns)}";
}
