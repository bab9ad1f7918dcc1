using System.Text.RegularExpressions;
using ServeSharp.Control.Api;

namespace ServeSharp.Control.Naming;

/// <summary>
/// Renders the ingress <c>domainTemplate</c> / <c>pathTemplate</c> (Go text/template over Name, Namespace, IngressDomain,
/// Annotations, Labels) and checks the host is a valid DNS name, as KServe's <c>GenerateDomainName</c> does.
/// </summary>
public static partial class DomainTemplate
{
    [GeneratedRegex(@"\{\{-?\s*\.(?<field>[A-Za-z]+)(\.(?<key>[A-Za-z0-9_./-]+))?\s*-?\}\}")]
    private static partial Regex Action();

    [GeneratedRegex(@"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Fqdn();

    /// <summary>Renders <paramref name="template"/> for the object <paramref name="name"/> in <paramref name="ns"/>.</summary>
    /// <exception cref="FormatException">Unknown template field.</exception>
    public static string Render(string template, string name, string ns, string ingressDomain, KServeResource? owner = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        return Action().Replace(template, m =>
        {
            var key = m.Groups["key"].Success ? m.Groups["key"].Value : null;
            return m.Groups["field"].Value switch
            {
                "Name" => name,
                "Namespace" => ns,
                "IngressDomain" => ingressDomain,
                "Annotations" when key is not null => owner?.GetAnnotation(key) ?? "",
                "Labels" when key is not null => owner?.GetLabel(key) ?? "",
                var other => throw new FormatException($"template: can't evaluate field {other} in domainTemplate \"{template}\""),
            };
        });
    }

    /// <summary>Renders a host and checks it is a DNS name.</summary>
    /// <exception cref="FormatException">The result is not a valid host.</exception>
    public static string Host(string template, string name, string ns, string ingressDomain, KServeResource? owner = null)
    {
        var host = Render(template, name, ns, ingressDomain, owner);
        if (!Fqdn().IsMatch(host))
        {
            throw new FormatException($"invalid domain name \"{host}\": domainTemplate \"{template}\" must produce a DNS name");
        }
        return host;
    }
}
