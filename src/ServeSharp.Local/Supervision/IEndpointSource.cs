using System.Collections.Immutable;

namespace ServeSharp.Local.Supervision;

/// <summary>The ready replicas of one revision; implemented by <see cref="ReplicaGroup"/>, read by the ingress.</summary>
public interface IEndpointSource
{
    /// <summary>Current ready endpoints (a snapshot; cheap to read per request).</summary>
    ImmutableArray<BackendEndpoint> Ready { get; }

    /// <summary>Completes when at least one endpoint is ready.</summary>
    Task WaitForReadyAsync(CancellationToken cancellationToken);
}
