using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ServeSharp.Local.Ingress;

/// <summary>
/// Serves HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge, what gRPC clients send) on one port. Kestrel cannot
/// do both on a plaintext endpoint (without TLS there is no ALPN, and it picks HTTP/1.1), so this connection middleware
/// peeks at the first bytes: the HTTP/2 connection preface goes to an HTTP/2-only pipeline, everything else to HTTP/1.1.
/// Nothing is consumed, so the chosen pipeline reads the connection from its first byte.
/// </summary>
internal static class Http2PrefaceRouter
{
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>
    /// Listens on <paramref name="endpoint"/> for HTTP/1.1 and h2c: an HTTP/2-only pipeline on an internal loopback
    /// port takes the connections that open with the HTTP/2 preface. Returns the public endpoint's options (its
    /// <see cref="ListenOptions.IPEndPoint"/> holds the bound port once Kestrel has started).
    /// </summary>
    public static ListenOptions ListenHttp1AndH2c(KestrelServerOptions kestrel, System.Net.EndPoint endpoint)
    {
        ConnectionDelegate? http2 = null;
        kestrel.Listen(System.Net.IPAddress.Loopback, 0, internalEndpoint =>
        {
            internalEndpoint.Protocols = HttpProtocols.Http2;
            internalEndpoint.Use(next => http2 = next);
        });
        ListenOptions? publicEndpoint = null;
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection => RouteAsync(connection, next, http2!));
            publicEndpoint = listen;
        });
        return publicEndpoint!;
    }

    public static async Task RouteAsync(ConnectionContext connection, ConnectionDelegate http1, ConnectionDelegate http2)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (connection.ConnectionClosed.IsCancellationRequested)
            {
                // The client closed the connection before sending a request: nothing to route.
                return;
            }

            var buffer = result.Buffer;
            var decision = Decide(buffer);
            if (decision != Decision.NeedMore || result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                await (decision == Decision.Http2 ? http2 : http1)(connection).ConfigureAwait(false);
                return;
            }

            // A prefix of the preface so far: mark it examined so the next read waits for more bytes.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static Decision Decide(ReadOnlySequence<byte> buffer)
    {
        var length = (int)Math.Min(buffer.Length, Preface.Length);
        Span<byte> head = stackalloc byte[Preface.Length];
        buffer.Slice(0, length).CopyTo(head);
        if (!head[..length].SequenceEqual(Preface[..length]))
        {
            return Decision.Http1;
        }

        return length == Preface.Length ? Decision.Http2 : Decision.NeedMore;
    }

    private enum Decision
    {
        NeedMore,
        Http1,
        Http2,
    }
}
