using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ServeSharp.Local.Api;
using ServeSharp.Local.Store;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Api;

/// <summary>A real Kestrel control API on 127.0.0.1 over a real SQLite store.</summary>
public sealed class ControlApiFixture : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    public SqliteResourceStore Store { get; private set; } = null!;

    public static async Task<ControlApiFixture> StartAsync(params IAdmissionHook[] hooks)
    {
        var fixture = new ControlApiFixture();
        fixture.Store = new SqliteResourceStore(Path.Combine(fixture._dir.Path, "store.db"), TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IResourceStore>(fixture.Store);
        builder.Services.AddSingleton(ResourceTypeRegistry.KServe);
        foreach (var hook in hooks)
        {
            builder.Services.AddSingleton(hook);
        }

        var app = builder.Build();
        app.MapResourceApi();
        await app.StartAsync();
        fixture._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fixture.Client = new HttpClient { BaseAddress = new Uri(address) };
        return fixture;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Store.Dispose();
        _dir.Dispose();
    }
}
