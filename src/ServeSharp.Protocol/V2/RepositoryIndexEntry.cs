namespace ServeSharp.Protocol.V2;

/// <summary>One row of the repository index (<c>POST /v2/repository/index</c>, gRPC <c>RepositoryIndex</c>).</summary>
/// <param name="Name">Model name.</param>
/// <param name="Version">Model version, or null.</param>
/// <param name="State">Triton state name: <c>READY</c>, <c>LOADING</c>, <c>UNLOADING</c>, <c>UNAVAILABLE</c>.</param>
/// <param name="Reason">Why the model is not ready; empty when it is.</param>
public sealed record RepositoryIndexEntry(string Name, string? Version, string State, string Reason);
