using Microsoft.AspNetCore.Http;

namespace ServeSharp.Local.Ingress;

/// <summary>The outcome of routing one request.</summary>
/// <param name="Route">The matched route.</param>
/// <param name="Rule">The matched rule.</param>
/// <param name="PathPrefix">The <c>/serving/{ns}/{name}</c> prefix when matched by path (stripped before forwarding), else empty.</param>
/// <param name="ForwardPath">The path to forward.</param>
public sealed record IngressMatch(IngressRoute Route, IngressRule Rule, PathString PathPrefix, PathString ForwardPath);
