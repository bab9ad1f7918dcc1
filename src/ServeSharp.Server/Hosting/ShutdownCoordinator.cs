using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServeSharp.Server.Logging;

namespace ServeSharp.Server.Hosting;

/// <summary>
/// On SIGTERM/Ctrl+C: readiness turns false first, then (after the optional drain delay) the listeners close and
/// Kestrel lets in-flight requests finish within the shutdown timeout. Registered before Kestrel, so its
/// <see cref="StoppingAsync"/> runs before any service stops.
/// </summary>
internal sealed class ShutdownCoordinator(ServerState state, ModelServerOptions options, TimeProvider time, ILogger<ShutdownCoordinator> logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.MarkStopping();
        ServerLog.ShuttingDown(logger);
        if (options.DrainDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(options.DrainDelay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Shutdown timeout reached: stop draining.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
