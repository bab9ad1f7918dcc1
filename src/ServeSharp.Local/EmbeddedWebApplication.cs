using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ServeSharp.Local;

/// <summary>
/// The builder every Kestrel server embedded in the platform starts from (control API, ingress, service endpoints):
/// content root = install folder and no config-file watching (watching the working directory recursively is slow),
/// no logging providers of its own, and <see cref="EmbeddedHostLifetime"/> so that signals reach the owner.
/// </summary>
internal static class EmbeddedWebApplication
{
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        return builder;
    }
}
