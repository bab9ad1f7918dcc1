using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ServeSharp.Local.Ingress;

/// <summary>
/// A loopback port of its own for one route, for clients that can name a service neither by Host header nor by path:
/// a gRPC channel dials <c>host:port</c> and sends that as its authority, so a transformer started with
/// <c>--protocol grpc-v2</c> cannot reach its predictor through the shared port (where <c>127.0.0.1:8080</c> names no
/// service, and a <c>/serving/…</c> path cannot be part of a gRPC target). HTTP/1.1 and h2c like the public port; every
/// request goes to the route with its path unchanged, through the ingress's own proxy (traffic split, activator,
/// request metrics), so scale from zero and canaries apply as on the public port.
/// </summary>
public sealed class ServiceEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _listen;

    private ServiceEndpoint(WebApplication app, ListenOptions listen)
    {
        _app = app;
        _listen = listen;
    }

    /// <summary>The bound loopback port.</summary>
    public int Port => _listen.IPEndPoint!.Port;

    /// <summary>What a client dials: <c>127.0.0.1:{port}</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts listening on a free loopback port for the route <paramref name="ns"/>/<paramref name="pathName"/>.</summary>
    internal static async Task<ServiceEndpoint> StartAsync(
        IngressProxy proxy, IngressRouter router, string ns, string pathName, CancellationToken cancellationToken)
    {
        var builder = EmbeddedWebApplication.CreateBuilder();
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            listen = Http2PrefaceRouter.ListenHttp1AndH2c(kestrel, new IPEndPoint(IPAddress.Loopback, 0));
        });

        var app = builder.Build();
        var gone = $"{ns}/{pathName} is not routed any more";
        app.Run(context => router.MatchService(ns, pathName, context.Request.Path) is { } match
            ? proxy.ForwardAsync(context, match)
            : IngressProxy.NotRoutedAsync(context, gone));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new ServiceEndpoint(app, listen!);
    }

    /// <summary>Stops listening; requests in flight finish first.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
