using System.Net;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServeSharp.Server.Grpc;
using ServeSharp.Server.Hosting.Handoff;
using ServeSharp.Server.Metrics;
using ServeSharp.Server.Models;
using ServeSharp.Server.Rest;

namespace ServeSharp.Server.Hosting;

/// <summary>
/// The model-server process: Kestrel with REST (HTTP/1.1) on the HTTP port and gRPC
/// (cleartext HTTP/2) on the gRPC port, one <see cref="DataPlane"/> behind both.
/// </summary>
public sealed class ModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ModelServerOptions _options;
    private readonly ListenOptions[] _listeners;

    private ModelServer(WebApplication app, ModelServerOptions options, ListenOptions[] listeners)
    {
        _app = app;
        _options = options;
        _listeners = listeners;
    }

    /// <summary>The application's services (repository, data plane, metrics...).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The model repository.</summary>
    public ModelRepository Repository => _app.Services.GetRequiredService<ModelRepository>();

    /// <summary>
    /// After <see cref="StartAsync"/>: the <c>--model_dir</c> when no runtime recognised its files, so it was taken as a
    /// model repository (<c>{model_dir}/{name}</c>, KServe's fallback); null otherwise.
    /// </summary>
    public string? UnrecognisedModelDirectory { get; private set; }

    /// <summary>The bound REST port (after <see cref="StartAsync"/>).</summary>
    public int HttpPort => ((IPEndPoint)_listeners[0].EndPoint).Port;

    /// <summary>The bound gRPC port (after <see cref="StartAsync"/>).</summary>
    public int GrpcPort => ((IPEndPoint)_listeners[1].EndPoint).Port;

    /// <summary>
    /// Builds a server. <paramref name="configureServices"/> registers runtimes (<c>AddModelRuntime&lt;T&gt;()</c>)
    /// and decorators; <paramref name="configureLogging"/> replaces the default console logging.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public static ModelServer Create(
        ModelServerOptions options, Action<IServiceCollection>? configureServices = null, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // The content root is the install folder, not the working directory, and configuration files are not watched:
        // watching the working directory recursively costs seconds of start-up in a large tree (node_modules...).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        // ASP.NET Core starts an Activity and a logging scope for every request whenever this category is enabled at
        // any level; it logs nothing a model server needs, and skipping it saves several percent of throughput.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        var listeners = new ListenOptions[2];
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // REST bodies are limited by RequestBodyReader (413 in KServe's shape); gRPC by its message size limit.
            kestrel.Limits.MaxRequestBodySize = null;
            var address = options.Host is null or "*" or "0.0.0.0" ? IPAddress.Any : IPAddress.Parse(options.Host);
            kestrel.Listen(address, options.HttpPort, listen =>
            {
                // Cleartext HTTP/2 needs prior knowledge, which Kestrel cannot mix with HTTP/1.1 on one endpoint
                // (no TLS/ALPN); REST is HTTP/1.1 like KServe's uvicorn, gRPC has its own HTTP/2 port.
                listen.Protocols = HttpProtocols.Http1;
                listeners[0] = listen;
            });
            kestrel.Listen(address, options.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listeners[1] = listen;
            });
            if (options.HandoffSocket is not null)
            {
                // Connections the ingress hands over (HTTP/1.1 only: it proxies HTTP/2 itself).
                kestrel.Listen(new HandoffEndPoint(options.HandoffSocket), listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(HandoffConnectionTracking.Track);
                });
            }
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout + options.DrainDelay);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ServerState>();
        services.AddHostedService<ShutdownCoordinator>();
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<IModelDecoratorFactory, MetricsDecoratorFactory>();
        configureServices?.Invoke(services);
        services.AddSingleton<ModelRepository>();
        services.AddSingleton<DataPlane>();
        services.AddSingleton<RestHandler>();
        services.AddSingleton<GrpcCallGuard>();
        services.AddSingleton<ModelInferFastPath>();
        services.AddSingleton<InferenceGrpcService>();
        if (options.HandoffSocket is not null)
        {
            services.AddSingleton<IConnectionListenerFactory, HandoffListenerFactory>();
            services.AddHttpForwarder();
            services.AddSingleton<HandoffRequestMiddleware>();
        }

        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = options.GrpcMaxReceiveMessageSize;
            o.MaxSendMessageSize = options.GrpcMaxSendMessageSize;
            o.EnableDetailedErrors = false;
        });
        // Grpc.AspNetCore's default provider binds services that derive from a generated base class, which ours does
        // not; constructing it for nothing costs the natively compiled server a run-time generic instantiation.
        services.RemoveAll(typeof(IServiceMethodProvider<>));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<InferenceGrpcService>, InferenceGrpcMethodProvider>());

        return new ModelServer(builder.Build(), options, listeners);
    }

    /// <summary>
    /// Loads the configured models (in parallel; failures leave the model not ready with the reason) while opening
    /// the listeners. Returns the repository entries after loading.
    /// </summary>
    public async Task<IReadOnlyList<ModelEntry>> StartAsync(CancellationToken cancellationToken = default)
    {
        var repository = Repository;
        var (models, root, unrecognised) = StartupModelPlan.Create(_options, _app.Services.GetServices<ServeSharp.Abstractions.IModelRuntime>());
        _options.ModelRepositoryRoot = root;
        UnrecognisedModelDirectory = unrecognised;
        // Models load while Kestrel starts (readiness stays false until they are loaded): on a small model the two
        // take about the same time, so overlapping them nearly halves start-to-ready.
        var loading = Task.WhenAll(models.Select(m => Task.Run(() => repository.LoadAsync(m, cancellationToken), cancellationToken)));
        ConfigurePipeline();
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        await loading.ConfigureAwait(false);
        _app.Services.GetRequiredService<ServerState>().MarkStarted();
        return repository.Entries;
    }

    /// <summary>
    /// The usual ModelInfer call first (<see cref="ModelInferFastPath"/>), then REST (its own routing), then gRPC through
    /// endpoint routing. Done when starting, after the model loads have
    /// begun, so that they overlap with it.
    /// </summary>
    private void ConfigurePipeline()
    {
        if (_options.HandoffSocket is not null)
        {
            _app.Use(_app.Services.GetRequiredService<HandoffRequestMiddleware>().InvokeAsync);
        }

        _app.Use(_app.Services.GetRequiredService<ModelInferFastPath>().InvokeAsync);
        _app.Use(_app.Services.GetRequiredService<RestHandler>().InvokeAsync);
        _app.UseRouting();
        _app.MapGrpcService<InferenceGrpcService>();
    }

    /// <summary>Waits until the host shuts down (SIGTERM, Ctrl+C or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Graceful stop: readiness false, drain delay, in-flight requests finish, models disposed.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
