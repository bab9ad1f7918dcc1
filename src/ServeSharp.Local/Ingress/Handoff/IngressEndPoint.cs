using System.Net;

namespace ServeSharp.Local.Ingress.Handoff;

/// <summary>The ingress's public endpoint when connection handoff is on: bound by <see cref="HandoffIngressListenerFactory"/>.</summary>
internal sealed class IngressEndPoint(IPEndPoint address) : EndPoint
{
    public IPEndPoint Address { get; } = address;

    public override string ToString() => Address.ToString();
}
