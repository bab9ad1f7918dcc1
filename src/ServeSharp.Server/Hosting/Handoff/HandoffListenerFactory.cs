using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ServeSharp.Server.Hosting.Handoff;

/// <summary>Kestrel transport for <see cref="HandoffEndPoint"/>s only; every other endpoint stays on the socket transport.</summary>
public sealed class HandoffListenerFactory(TimeProvider time, ILoggerFactory loggerFactory) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <summary>How often the replica reports its handed-off requests to the ingress.</summary>
    public static TimeSpan ReportInterval { get; } = TimeSpan.FromMilliseconds(100);

    /// <inheritdoc />
    public bool CanBind(EndPoint endpoint) => endpoint is HandoffEndPoint;

    /// <inheritdoc />
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not HandoffEndPoint handoff)
        {
            throw new NotSupportedException($"{endpoint} is not a handoff endpoint.");
        }

        return ValueTask.FromResult<IConnectionListener>(HandoffListener.Bind(handoff, time, ReportInterval, loggerFactory.CreateLogger<HandoffListener>()));
    }
}
