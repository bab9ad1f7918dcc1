namespace ServeSharp.Local.Supervision;

/// <summary>How the supervisor decides a replica can take traffic: a TCP connect or an HTTP GET answering 2xx/3xx.</summary>
/// <param name="PortName">Which of the replica's ports to probe.</param>
/// <param name="HttpPath">Null for a TCP probe (KServe's default for model containers); a path such as <c>/v2/health/ready</c> for HTTP.</param>
public sealed record ReadinessProbe(string PortName = "http", string? HttpPath = null)
{
    /// <summary>TCP connect to the <c>http</c> port.</summary>
    public static ReadinessProbe Tcp { get; } = new();

    /// <summary>HTTP GET of <paramref name="path"/> on the <c>http</c> port.</summary>
    public static ReadinessProbe Http(string path) => new("http", path);
}
