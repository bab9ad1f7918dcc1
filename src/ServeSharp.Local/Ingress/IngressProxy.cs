using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace ServeSharp.Local.Ingress;

/// <summary>
/// The ingress request handler: route (host or <c>/serving/{ns}/{name}</c> prefix) → pick a revision by traffic
/// split → pick its least-loaded ready replica, or hold the request in the activator → forward with YARP's
/// <see cref="IHttpForwarder"/> (REST as HTTP/1.1 to the replica's http port, gRPC as h2c to its grpc port).
/// </summary>
public sealed class IngressProxy : IDisposable
{
    private static readonly ForwarderRequestConfig RestConfig = new()
    {
        ActivityTimeout = TimeSpan.FromMinutes(5),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    private static readonly ForwarderRequestConfig GrpcConfig = new()
    {
        ActivityTimeout = TimeSpan.FromMinutes(5),
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private readonly IngressRouter _router;
    private readonly RequestActivator _activator;
    private readonly IHttpForwarder _forwarder;
    private readonly ILogger _logger;
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
    });

    /// <summary>Creates the handler.</summary>
    public IngressProxy(IngressRouter router, RequestActivator activator, IHttpForwarder forwarder, ILogger<IngressProxy> logger)
    {
        _router = router;
        _activator = activator;
        _forwarder = forwarder;
        _logger = logger;
    }

    /// <summary>Handles one request that came in on the public port: routed by host or path prefix.</summary>
    public Task HandleAsync(HttpContext context)
    {
        var match = _router.Match(context.Request.Host.Value ?? string.Empty, context.Request.Path);
        return match is not null
            ? ForwardAsync(context, match)
            : NotRoutedAsync(
                context,
                $"no InferenceService is routed for host \"{context.Request.Host.Value}\" or path \"{context.Request.Path}\"; use the Host header of its status.url or the path /{IngressRouter.PathRoot}/{{namespace}}/{{name}}/...");
    }

    /// <summary>Answers a request that no route takes: 404, or gRPC's UNIMPLEMENTED for a gRPC call.</summary>
    public static Task NotRoutedAsync(HttpContext context, string message) =>
        FailAsync(context, IsGrpc(context), StatusCodes.Status404NotFound, message);

    /// <summary>Forwards a request routed to <paramref name="match"/> to a replica of one of its revisions.</summary>
    public async Task ForwardAsync(HttpContext context, IngressMatch match)
    {
        var isGrpc = IsGrpc(context);
        if (match.PathPrefix.HasValue)
        {
            context.Request.PathBase = context.Request.PathBase.Add(match.PathPrefix);
            context.Request.Path = match.ForwardPath;
        }

        var backend = match.Rule.Split.Pick();
        backend.Metrics.Begin();
        try
        {
            Supervision.BackendEndpoint endpoint;
            try
            {
                endpoint = await _activator.AcquireAsync(backend, context.RequestAborted).ConfigureAwait(false);
            }
            catch (ActivationException e)
            {
                IngressLog.ActivationFailed(_logger, backend.Name, e.Message);
                await FailAsync(context, isGrpc, StatusCodes.Status503ServiceUnavailable, e.Message).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            backend.BeginOn(endpoint);
            try
            {
                var error = await _forwarder.SendAsync(
                    context,
                    isGrpc ? endpoint.GrpcPrefix : endpoint.HttpPrefix,
                    _client,
                    isGrpc ? GrpcConfig : RestConfig,
                    match.Route.Headers).ConfigureAwait(false);
                if (error != ForwarderError.None)
                {
                    var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
                    IngressLog.ForwardFailed(_logger, backend.Name, endpoint.Id, error.ToString(), exception);
                    await FailAsync(
                        context,
                        isGrpc,
                        StatusCodes.Status502BadGateway,
                        $"replica {endpoint.Id} of revision {backend.Name} failed ({error}): {exception?.Message}").ConfigureAwait(false);
                }
            }
            finally
            {
                backend.EndOn(endpoint);
            }
        }
        finally
        {
            backend.Metrics.End();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static bool IsGrpc(HttpContext context) =>
        context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    private static async Task FailAsync(HttpContext context, bool isGrpc, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        if (isGrpc)
        {
            // gRPC clients read the status from headers/trailers, not the HTTP code.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = status == StatusCodes.Status404NotFound ? "12" : "14";
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { error = message }), context.RequestAborted).ConfigureAwait(false);
    }
}
