using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace ServeSharp.Server.Hosting.Handoff;

/// <summary>
/// First in the replica's pipeline. On a connection the ingress handed off, a request the ingress would route here
/// (host among the lease's, path not one that goes elsewhere, lease not revoked) is served and counted for the
/// autoscaler; any other request (another service's Host on the same keep-alive connection, an <c>:explain</c> for the
/// explainer, a revoked lease) is sent back to the ingress on loopback, marked so the ingress proxies it instead of
/// handing it off again, and answered with <c>Connection: close</c> so the client's next request reaches the ingress.
/// Requests on ordinary connections pass straight through.
/// </summary>
public sealed class HandoffRequestMiddleware(IHttpForwarder forwarder, ILogger<HandoffRequestMiddleware> logger) : IDisposable
{
    /// <summary>Header marking a request the replica sends back; the ingress never hands off a connection whose first request has it.</summary>
    public const string ReturnHeader = "ServeSharp-Handoff-Return";

    private static readonly ForwarderRequestConfig Config = new()
    {
        ActivityTimeout = TimeSpan.FromMinutes(5),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
    });

    /// <summary>The middleware.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var lease = context.Features.Get<HandoffLease>();
        if (lease is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (lease.Accepts(context.Request.Host.Value, context.Request.Path.Value ?? "/"))
        {
            // What the ingress adds when it proxies.
            context.Request.Headers["KServe-Isvc-Name"] = lease.Grant.ServiceName;
            context.Request.Headers["KServe-Isvc-Namespace"] = lease.Grant.ServiceNamespace;
            lease.Begin();
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                lease.End();
            }

            return;
        }

        var error = await forwarder.SendAsync(context, $"http://127.0.0.1:{lease.Grant.IngressPort}", _client, Config, ReturnTransformer.Instance).ConfigureAwait(false);
        if (error != ForwarderError.None)
        {
            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            HandoffLog.ForwardFailed(logger, lease.Grant.IngressPort, error.ToString(), exception?.Message);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status502BadGateway;
                context.Response.Headers.Connection = "close";
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(
                    $"{{\"error\":\"the ingress did not answer a request this replica does not serve ({error})\"}}", context.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private sealed class ReturnTransformer : HttpTransformer
    {
        public static readonly ReturnTransformer Instance = new();

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            // The ingress routes by the client's Host, not the loopback address.
            proxyRequest.Headers.Host = httpContext.Request.Host.Value;
            proxyRequest.Headers.TryAddWithoutValidation(ReturnHeader, "1");
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
        {
            var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
            // The client's next request goes to the ingress on a new connection, classified afresh.
            httpContext.Response.Headers.Connection = "close";
            return copy;
        }
    }
}
