using System.Text.RegularExpressions;

namespace ServeSharp.Local.Ingress;

/// <summary>One rule of a route: requests whose (prefix-stripped) path matches <see cref="PathPattern"/> (null: any) go to <see cref="Split"/>.</summary>
/// <param name="PathPattern">E.g. <c>^/v1/models/[\w-]+:explain$</c> for the explainer, as KServe's VirtualService does.</param>
/// <param name="Split">Where matching requests go.</param>
public sealed record IngressRule(Regex? PathPattern, TrafficSplit Split);
