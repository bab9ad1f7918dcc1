namespace ServeSharp.Local.Ingress;

/// <summary>
/// How one public name reaches its revisions: by any of <see cref="Hosts"/> (Host header, port ignored) or by the
/// path prefix <c>/serving/{Namespace}/{PathName}/</c> for users without DNS. Rules are tried in order; the first
/// whose pattern matches wins, so the catch-all rule goes last.
/// </summary>
/// <param name="Namespace">Namespace of the service.</param>
/// <param name="PathName">Name used in the path prefix, e.g. <c>iris</c> or <c>latest-iris</c> for a tag.</param>
/// <param name="Hosts">Host names, e.g. <c>iris.default.example.com</c>.</param>
/// <param name="Rules">Ordered rules.</param>
/// <param name="ServiceName">The InferenceService behind the route (sent as <c>KServe-Isvc-Name</c>); default <paramref name="PathName"/>.</param>
public sealed record IngressRoute(string Namespace, string PathName, IReadOnlyList<string> Hosts, IReadOnlyList<IngressRule> Rules, string? ServiceName = null)
{
    /// <summary>Adds KServe's headers when forwarding; one per route, not per request.</summary>
    internal KServeHeadersTransformer Headers { get; } = new(ServiceName ?? PathName, Namespace);
}
