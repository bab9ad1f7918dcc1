using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServeSharp.Local.Ingress;

/// <summary>
/// The ingress as a running Kestrel server: one public port for HTTP/1.1 and h2c (see <see cref="Http2PrefaceRouter"/>),
/// handled by <see cref="IngressProxy"/> over the routes in <see cref="Router"/>.
/// </summary>
public sealed class IngressServer : IServiceEndpointHost, IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _public;

    private IngressServer(WebApplication app, ListenOptions publicEndpoint, IngressRouter router)
    {
        _app = app;
        _public = publicEndpoint;
        Router = router;
    }

    /// <summary>The routing table to update as services change.</summary>
    public IngressRouter Router { get; }

    /// <summary>The bound public port (useful when the options asked for 0).</summary>
    public int Port => _public.EndPoint is Handoff.IngressEndPoint handoff ? handoff.Address.Port : _public.IPEndPoint!.Port;

    /// <summary>Starts listening.</summary>
    public static async Task<IngressServer> StartAsync(IngressOptions options, IngressRouter router, TimeProvider time, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var builder = EmbeddedWebApplication.CreateBuilder();
        builder.Services.AddSingleton<ILoggerFactory>(new IngressLoggerFactory(loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(router);
        builder.Services.AddSingleton<RequestActivator>();
        builder.Services.AddSingleton<IngressProxy>();
        if (options.HandoffActive)
        {
            builder.Services.AddSingleton(services => new Handoff.HandoffDispatcher(router, services.GetRequiredService<ILoggerFactory>().CreateLogger<Handoff.HandoffDispatcher>()));
            builder.Services.AddSingleton<IConnectionListenerFactory, Handoff.HandoffIngressListenerFactory>();
        }

        ListenOptions? publicEndpoint = null;
        // The proxy never blocks a thread (everything is awaited), so the socket engine may run it inline instead of
        // queueing every read completion to the thread pool: one thread hop less per request, which matters when the
        // ingress, the replicas and the clients share a few cores.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // With handoff, the public port is accepted by the handoff listener (plain sockets otherwise).
            var publicAddress = new System.Net.IPEndPoint(options.ListenAddress, options.Port);
            publicEndpoint = Http2PrefaceRouter.ListenHttp1AndH2c(kestrel, options.HandoffActive ? new Handoff.IngressEndPoint(publicAddress) : publicAddress);
        });

        var app = builder.Build();
        var proxy = app.Services.GetRequiredService<IngressProxy>();
        app.Run(proxy.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new IngressServer(app, publicEndpoint!, router);
    }

    /// <inheritdoc />
    public Task<ServiceEndpoint> StartServiceEndpointAsync(string ns, string pathName, CancellationToken cancellationToken = default) =>
        ServiceEndpoint.StartAsync(_app.Services.GetRequiredService<IngressProxy>(), Router, ns, pathName, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
