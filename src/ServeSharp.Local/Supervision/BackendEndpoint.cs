namespace ServeSharp.Local.Supervision;

/// <summary>One ready replica as the ingress sees it.</summary>
/// <param name="Id">Replica id, unique for the daemon's life (e.g. <c>iris-predictor-00001-3</c>).</param>
/// <param name="Host">Host to connect to (loopback).</param>
/// <param name="Ports">Port by name (<c>http</c>, optionally <c>grpc</c>).</param>
public sealed record BackendEndpoint(string Id, string Host, IReadOnlyDictionary<string, int> Ports)
{
    /// <summary>The <c>http</c> port (or the first one).</summary>
    public int HttpPort { get; } = HttpPortOf(Ports);

    /// <summary>The port for gRPC: the <c>grpc</c> port when there is one, else the http port (h2c on one port).</summary>
    public int GrpcPort { get; } = Ports.TryGetValue("grpc", out var p) ? p : HttpPortOf(Ports);

    /// <summary><c>http://host:httpPort</c>, built once (not per request): where the ingress forwards REST.</summary>
    public string HttpPrefix { get; } = $"http://{Host}:{HttpPortOf(Ports)}";

    /// <summary><c>http://host:grpcPort</c>, built once: where the ingress forwards gRPC (h2c).</summary>
    public string GrpcPrefix { get; } = $"http://{Host}:{(Ports.TryGetValue("grpc", out var g) ? g : HttpPortOf(Ports))}";

    /// <summary>
    /// Unix socket on which the replica accepts connections handed over by the ingress (<c>servesharp serve
    /// --handoff-socket</c>), or null when it takes connections only through its ports.
    /// </summary>
    public string? HandoffSocket { get; init; }

    private static int HttpPortOf(IReadOnlyDictionary<string, int> ports) => ports.TryGetValue("http", out var p) ? p : ports.Values.First();
}
