using ServeSharp.Server.Hosting.Handoff;

namespace ServeSharp.Local.Ingress.Handoff;

/// <summary>The ingress's record of one lease granted to one replica: what was granted, and the replica's last report.</summary>
internal sealed class HandoffLeaseState(HandoffGrant grant, string key, RevisionBackend backend, int readyAtGrant)
{
    public HandoffGrant Grant { get; } = grant;

    /// <summary>Hosts, forward patterns and backend, as one string: the same routing gets the same lease.</summary>
    public string Key { get; } = key;

    public RevisionBackend Backend { get; } = backend;

    /// <summary>Ready replicas of the backend when granted: more later revokes the lease so connections spread.</summary>
    public int ReadyAtGrant { get; } = readyAtGrant;

    public bool Revoked { get; set; }

    public HandoffReport Last { get; set; }

    /// <summary>Connections sent under the lease so far.</summary>
    public long Sent { get; set; }

    /// <summary>Connections the replica holds under the lease: open at its last report, plus those sent since that it had not received then.</summary>
    public long OpenConnections => Last.OpenConnections + Math.Max(0, Sent - Last.ConnectionsReceived);
}
