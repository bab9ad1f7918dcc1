using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ServeSharp.Local.Ingress.Handoff;

/// <summary>Kestrel transport for the ingress's public <see cref="IngressEndPoint"/>; the internal HTTP/2 endpoint stays on plain sockets.</summary>
internal sealed class HandoffIngressListenerFactory(HandoffDispatcher dispatcher, ILoggerFactory loggerFactory) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is IngressEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        endpoint is IngressEndPoint ingress
            ? ValueTask.FromResult<IConnectionListener>(HandoffIngressListener.Bind(ingress, dispatcher, loggerFactory.CreateLogger<HandoffIngressListener>()))
            : throw new NotSupportedException($"{endpoint} is not the ingress endpoint.");
}
