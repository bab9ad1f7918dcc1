namespace ServeSharp.Local.Ingress;

/// <summary>
/// Knative's activator role: a request for a revision with no ready replica is held (bounded count, bounded time)
/// while the revision is asked to scale up, then forwarded to the first replica that becomes ready. The request is
/// counted in the revision's metrics while held, so the autoscaler sees the demand.
/// </summary>
public sealed class RequestActivator(IngressOptions options, TimeProvider time)
{
    /// <summary>Returns a ready endpoint of <paramref name="backend"/>, waiting for one if needed.</summary>
    /// <exception cref="ActivationException">Too many held requests, or no replica became ready in time.</exception>
    public async Task<Supervision.BackendEndpoint> AcquireAsync(RevisionBackend backend, CancellationToken cancellationToken)
    {
        var endpoint = backend.PickEndpoint();
        if (endpoint is not null)
        {
            return endpoint;
        }

        try
        {
            if (backend.EnterHold() > options.MaxHeldRequestsPerRevision)
            {
                throw new ActivationException(
                    $"revision {backend.Name} has no ready replica and already holds {options.MaxHeldRequestsPerRevision} waiting requests; retry later");
            }

            backend.RequestActivation();
            using var timeout = new CancellationTokenSource(options.ActivationTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            while (true)
            {
                try
                {
                    await backend.Endpoints.WaitForReadyAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new ActivationException(
                        $"revision {backend.Name} did not get a ready replica within {options.ActivationTimeout.TotalSeconds:0.#}s; see `servesharp describe` and `servesharp logs`");
                }

                endpoint = backend.PickEndpoint();
                if (endpoint is not null)
                {
                    return endpoint;
                }
            }
        }
        finally
        {
            backend.ExitHold();
        }
    }
}
