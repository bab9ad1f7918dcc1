namespace ServeSharp.Local.Ingress;

/// <summary>Opens a route's own loopback port (<see cref="ServiceEndpoint"/>); the ingress server is one.</summary>
public interface IServiceEndpointHost
{
    /// <summary>
    /// Opens a loopback port of its own for the route named <paramref name="pathName"/> in <paramref name="ns"/>; the
    /// caller disposes it.
    /// </summary>
    Task<ServiceEndpoint> StartServiceEndpointAsync(string ns, string pathName, CancellationToken cancellationToken = default);
}
