using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServeSharp.Control.Configuration;
using ServeSharp.Local.Api;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Store;
using ServeSharp.Local.Supervision;
using ServeSharp.Storage;
using ServeSharp.Storage.Configuration;

namespace ServeSharp.Local;

/// <summary>
/// The embedded platform behind <c>servesharp up</c>: SQLite store + Kubernetes-shaped control API (with admission),
/// ingress, supervisor, autoscaler and reconciler, started together and stopped together (every replica process stopped).
/// </summary>
public sealed class LocalPlatform : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private SqliteResourceStore? _store;
    private WebApplication? _api;
    private RevisionAutoscaler? _autoscaler;
    private ModelDownloader? _downloader;
    private Task _reconciling = Task.CompletedTask;
    private Task _markingNotServed = Task.CompletedTask;

    private LocalPlatform()
    {
    }

    /// <summary>The bound control API port.</summary>
    public int ApiPort { get; private set; }

    /// <summary>The autoscaler (tests read its decisions).</summary>
    internal RevisionAutoscaler Autoscaler => _autoscaler ?? throw new InvalidOperationException("Not started.");

    /// <summary>The bound ingress port.</summary>
    public int IngressPort { get; private set; }

    /// <summary>Starts everything; on failure, stops what was started and rethrows.</summary>
    public static async Task<LocalPlatform> StartAsync(Reconciling.LocalPlatformOptions options, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var platform = new LocalPlatform();
        try
        {
            await platform.StartCoreAsync(options, loggerFactory, time, cancellationToken).ConfigureAwait(false);
            return platform;
        }
        catch
        {
            await platform.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_api is not null)
        {
            await _api.StopAsync().ConfigureAwait(false);
            await _api.DisposeAsync().ConfigureAwait(false);
        }

        await _reconciling.ConfigureAwait(false);
        await _markingNotServed.ConfigureAwait(false);
        _autoscaler?.Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().ConfigureAwait(false);
        }

        _downloader?.Dispose();
        _store?.Dispose();
        _stop.Dispose();
    }

    private async Task StartCoreAsync(Reconciling.LocalPlatformOptions options, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.DataDirectory);
        _store = new SqliteResourceStore(options.StorePath, time);
        var supervisor = new ProcessSupervisor(new SupervisorOptions { DataDirectory = options.DataDirectory }, time, loggerFactory.CreateLogger<ProcessSupervisor>());
        var ingress = await IngressServer.StartAsync(new IngressOptions { Port = options.IngressPort }, new IngressRouter(), time, loggerFactory, cancellationToken).ConfigureAwait(false);
        _owned.Add(ingress);
        IngressPort = ingress.Port;
        options.IngressPort = ingress.Port;
        _autoscaler = new RevisionAutoscaler(new AutoscalerOptions(), time, loggerFactory.CreateLogger<RevisionAutoscaler>());
        _autoscaler.Start();
        _downloader = new ModelDownloader(new StorageOptions(), StorageEnvironment.FromProcess(), loggerFactory, time);
        var reconciler = new Reconciling.InferenceServiceReconciler(
            _store, supervisor, ingress.Router, ingress, _autoscaler, _downloader, options, time, loggerFactory.CreateLogger<Reconciling.InferenceServiceReconciler>());
        _owned.Add(reconciler);

        var builder = EmbeddedWebApplication.CreateBuilder();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.ApiPort}");
        builder.Services.AddSingleton<IResourceStore>(_store);
        builder.Services.AddSingleton(ResourceTypeRegistry.KServe);
        builder.Services.AddSingleton<IAdmissionHook>(new Reconciling.PipelineAdmissionHook(InferenceServiceConfig.Default));
        _api = builder.Build();
        _api.MapResourceApi();
        await _api.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _api.Urls.First();
        ApiPort = new Uri(address).Port;
        _reconciling = Task.Run(() => reconciler.RunAsync(_stop.Token), CancellationToken.None);
        var notServed = new Reconciling.NotServedResourceStatus(_store, time, loggerFactory.CreateLogger<Reconciling.NotServedResourceStatus>());
        _markingNotServed = Task.Run(() => notServed.RunAsync(_stop.Token), CancellationToken.None);
    }
}
