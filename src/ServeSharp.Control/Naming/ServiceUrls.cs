using ServeSharp.Control.Admission;
using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Configuration;

namespace ServeSharp.Control.Naming;

/// <summary>The URLs and hosts of an InferenceService (control-plane.md §2.6).</summary>
/// <param name="Url">Top-level <c>status.url</c>.</param>
/// <param name="Address">In-cluster <c>status.address.url</c>.</param>
/// <param name="ComponentUrls">Per component (<c>predictor</c>, <c>transformer</c>, <c>explainer</c>) URL.</param>
/// <param name="Hosts">Ingress host → component object name the host routes to.</param>
public sealed record ServiceUrls(
    string Url,
    string Address,
    IReadOnlyDictionary<string, string> ComponentUrls,
    IReadOnlyList<(string Host, string Target)> Hosts)
{
    /// <summary>Computes the URLs for <paramref name="isvc"/> in <paramref name="mode"/>.</summary>
    public static ServiceUrls For(InferenceService isvc, string mode, IngressConfig ingress)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        ArgumentNullException.ThrowIfNull(ingress);
        var name = isvc.Name;
        var ns = isvc.Namespace;
        var predictor = ComponentNames.Predictor(isvc);
        var transformer = ComponentNames.Transformer(name);
        var explainer = ComponentNames.Explainer(name);
        var hasTransformer = isvc.Spec.Transformer is not null;
        var hasExplainer = isvc.Spec.Explainer is not null;
        var entry = hasTransformer ? transformer : predictor;
        var components = new Dictionary<string, string>(StringComparer.Ordinal);
        var hosts = new List<(string, string)>();

        if (mode == DeploymentModes.Standard)
        {
            string Host(string objectName) => DomainTemplate.Host(ingress.DomainTemplate, objectName, ns, ingress.IngressDomain, isvc);
            var address = $"http://{entry}.{ns}.svc.cluster.local";
            var internalOnly = isvc.GetLabel(KServeConstants.NetworkVisibilityLabel) == "cluster-local" ||
                               ingress.IngressDomain == "svc.cluster.local";
            if (internalOnly)
            {
                components["predictor"] = $"http://{predictor}.{ns}.svc.cluster.local";
                if (hasTransformer)
                {
                    components["transformer"] = $"http://{transformer}.{ns}.svc.cluster.local";
                }
                if (hasExplainer)
                {
                    components["explainer"] = $"http://{explainer}.{ns}.svc.cluster.local";
                }
                return new ServiceUrls(address, address, components, hosts);
            }
            components["predictor"] = $"http://{Host(predictor)}";
            if (hasTransformer)
            {
                components["transformer"] = $"http://{Host(transformer)}";
                hosts.Add((Host(name), transformer));
                // ⚠ KServe routes the transformer host to the predictor, and builds the explainer host from the transformer name.
                hosts.Add((Host(transformer), predictor));
                hosts.Add((Host(predictor), predictor));
                if (hasExplainer)
                {
                    components["explainer"] = $"http://{Host(explainer)}";
                    hosts.Add((Host(transformer), explainer));
                }
            }
            else if (hasExplainer)
            {
                components["explainer"] = $"http://{Host(explainer)}";
                hosts.Add((Host(name), predictor));
                hosts.Add((Host(explainer), explainer));
                hosts.Add((Host(predictor), predictor));
            }
            else
            {
                hosts.Add((Host(name), predictor));
                hosts.Add((Host(predictor), predictor));
            }
            return new ServiceUrls($"{ingress.UrlScheme}://{Host(name)}", address, components, hosts);
        }

        // Knative: Knative's default domain template {name}.{namespace}.{domain} for components.
        components["predictor"] = $"http://{predictor}.{ns}.{ingress.IngressDomain}";
        if (hasTransformer)
        {
            components["transformer"] = $"http://{transformer}.{ns}.{ingress.IngressDomain}";
        }
        if (hasExplainer)
        {
            components["explainer"] = $"http://{explainer}.{ns}.{ingress.IngressDomain}";
        }
        string url;
        if (!string.IsNullOrEmpty(ingress.PathTemplate))
        {
            var path = DomainTemplate.Render(ingress.PathTemplate, name, ns, ingress.IngressDomain, isvc);
            url = $"{ingress.UrlScheme}://{ingress.IngressDomain}{path}";
        }
        else if (ingress.DisableIstioVirtualHost)
        {
            url = components[hasTransformer ? "transformer" : "predictor"].Replace("http://", ingress.UrlScheme + "://", StringComparison.Ordinal);
        }
        else
        {
            url = $"{ingress.UrlScheme}://{name}.{ns}.{ingress.IngressDomain}";
        }
        hosts.Add(($"{name}.{ns}.svc.cluster.local", entry));
        if (isvc.GetLabel(KServeConstants.KnativeVisibilityLabel) != "cluster-local")
        {
            hosts.Add(($"{name}.{ns}.{ingress.IngressDomain}", entry));
        }
        var knativeAddress = ingress.DisableIstioVirtualHost
            ? $"http://{entry}.{ns}.svc.cluster.local"
            : $"http://{name}.{ns}.svc.cluster.local";
        return new ServiceUrls(url, knativeAddress, components, hosts);
    }
}
