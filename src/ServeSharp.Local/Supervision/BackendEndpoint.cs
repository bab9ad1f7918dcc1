namespace ServeSharp.Local.Supervision;

/// <summary>One ready replica as the ingress sees it.</summary>
/// <param name="Id">Replica id, unique for the daemon's life (e.g. <c>iris-predictor-00001-3</c>).</param>
/// <param name="Host">Host to connect to (loopback).</param>
/// <param name="Ports">Port by name (<c>http</c>, optionally <c>grpc</c>).</param>
public sealed record BackendEndpoint(string Id, string Host, IReadOnlyDictionary<string, int> Ports)
{
    /// <summary>The <c>http</c> port (or the first one).</summary>
    public int HttpPort => Ports.TryGetValue("http", out var p) ? p : Ports.Values.First();

    /// <summary>The port for gRPC: the <c>grpc</c> port when there is one, else the http port (h2c on one port).</summary>
    public int GrpcPort => Ports.TryGetValue("grpc", out var p) ? p : HttpPort;
}
