using Microsoft.Extensions.Hosting;

namespace ServeSharp.Local;

/// <summary>
/// Host lifetime for the Kestrel servers embedded in the platform: unlike the default console lifetime it does not
/// react to SIGTERM/Ctrl-C, so the signal reaches the owner (<c>servesharp up</c>), which stops everything in order.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
