using System.Net;

namespace ServeSharp.Server.Hosting.Handoff;

/// <summary>
/// A Kestrel endpoint whose connections are not accepted from a port but handed over by the ingress: file descriptors
/// received on the Unix domain socket at <see cref="Path"/> (see <see cref="HandoffListenerFactory"/>).
/// </summary>
/// <param name="path">Where the replica listens for the ingress's handoff channel.</param>
public sealed class HandoffEndPoint(string path) : EndPoint
{
    /// <summary>Longest path a Unix domain socket address holds (sun_path is 108 bytes with the terminator).</summary>
    public const int MaxPathLength = 107;

    /// <summary>The socket path.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    public override string ToString() => $"handoff:{Path}";
}
