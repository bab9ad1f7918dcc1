using System.Net;

namespace ServeSharp.Local.Ingress;

/// <summary>Settings of the ingress; <see cref="Validate"/> runs at start-up.</summary>
public sealed class IngressOptions
{
    /// <summary>Address to listen on (default loopback).</summary>
    public IPAddress ListenAddress { get; set; } = IPAddress.Loopback;

    /// <summary>Port for HTTP/1.1 and h2c (gRPC) alike; 0 picks a free one.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>How long the activator holds a request for a revision with no ready replica.</summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most requests held per revision; beyond that new ones get 503 at once instead of piling up.</summary>
    public int MaxHeldRequestsPerRevision { get; set; } = 1000;

    /// <summary>
    /// Hand qualifying HTTP/1.1 connections to the replica that serves them instead of proxying every request (see
    /// <see cref="Handoff.HandoffDispatcher"/>). Used on Linux when the ingress listens on 127.0.0.1 or 0.0.0.0
    /// (replicas send requests they must not serve back to it on 127.0.0.1); elsewhere every request is proxied.
    /// </summary>
    public bool ConnectionHandoff { get; set; } = true;

    /// <summary>Whether <see cref="ConnectionHandoff"/> applies here.</summary>
    internal bool HandoffActive =>
        ConnectionHandoff && ServeSharp.Server.Hosting.Handoff.HandoffInterop.IsSupported
        && (ListenAddress.Equals(IPAddress.Loopback) || ListenAddress.Equals(IPAddress.Any));

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Ingress port must be 0..65535 (got {Port}).");
        }

        if (ActivationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Ingress ActivationTimeout must be positive (got {ActivationTimeout}).");
        }

        if (MaxHeldRequestsPerRevision < 1)
        {
            throw new ArgumentException($"Ingress MaxHeldRequestsPerRevision must be >= 1 (got {MaxHeldRequestsPerRevision}).");
        }
    }
}
