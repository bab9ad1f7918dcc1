namespace ServeSharp.Local.Ingress;

/// <summary>A revision and its share of a split, in percent.</summary>
public sealed record TrafficTarget(RevisionBackend Backend, int Percent);
