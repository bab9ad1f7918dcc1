using Microsoft.AspNetCore.Connections;

namespace ServeSharp.Server.Hosting.Handoff;

/// <summary>
/// Kestrel connection middleware on the handoff endpoint: a handed-off connection counts as open on its lease until
/// Kestrel is done with it, so the replica's reports tell the ingress how many connections each replica holds.
/// </summary>
public static class HandoffConnectionTracking
{
    /// <summary>Wraps the rest of the connection pipeline (the HTTP/1.1 server).</summary>
    public static ConnectionDelegate Track(ConnectionDelegate next) => async connection =>
    {
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Features.Get<HandoffLease>()?.ConnectionClosed();
        }
    };
}
