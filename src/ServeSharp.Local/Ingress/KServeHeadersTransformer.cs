using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace ServeSharp.Local.Ingress;

/// <summary>Forwards the request as is and adds the headers KServe's ingress sets (<c>KServe-Isvc-Name</c>, <c>KServe-Isvc-Namespace</c>).</summary>
internal sealed class KServeHeadersTransformer(string name, string ns) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.Headers.Remove("KServe-Isvc-Name");
        proxyRequest.Headers.Remove("KServe-Isvc-Namespace");
        proxyRequest.Headers.TryAddWithoutValidation("KServe-Isvc-Name", name);
        proxyRequest.Headers.TryAddWithoutValidation("KServe-Isvc-Namespace", ns);
    }
}
