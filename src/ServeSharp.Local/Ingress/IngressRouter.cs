using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace ServeSharp.Local.Ingress;

/// <summary>
/// The ingress routing table, replaced atomically as services change. Matching: the Host header (port and case
/// ignored) first; otherwise a path of the form <c>/serving/{namespace}/{name}[/rest]</c>, forwarded as <c>/rest</c>.
/// </summary>
public sealed class IngressRouter
{
    /// <summary>First segment of path-based routes (KServe's <c>pathTemplate</c> convention <c>/serving/{ns}/{name}</c>).</summary>
    public const string PathRoot = "serving";

    private volatile Table _table = new([]);

    /// <summary>The routes currently served.</summary>
    public IReadOnlyList<IngressRoute> Routes => _table.Routes;

    /// <summary>Replaces the whole table.</summary>
    /// <exception cref="ArgumentException">Two routes claim the same host or path name.</exception>
    public void Update(IEnumerable<IngressRoute> routes)
    {
        _table = new Table(routes.ToList());
        Updated?.Invoke();
    }

    /// <summary>Raised after the table changed (the handoff dispatcher re-checks its leases).</summary>
    public event Action? Updated;

    /// <summary>Routes a request, or returns null when nothing matches.</summary>
    public IngressMatch? Match(string host, PathString path)
    {
        var table = _table;
        if (table.ByHostSpan.TryGetValue(StripPort(host), out var byHost))
        {
            return MatchRule(byHost, PathString.Empty, path);
        }

        // /serving/{ns}/{name}[/rest]
        var value = path.Value ?? string.Empty;
        var segments = value.Split('/', 5);
        if (segments.Length >= 4 && segments[0].Length == 0 && segments[1] == PathRoot
            && table.ByPath.TryGetValue((segments[2], segments[3]), out var byPath))
        {
            var prefix = new PathString($"/{PathRoot}/{segments[2]}/{segments[3]}");
            var rest = segments.Length == 5 ? new PathString("/" + segments[4]) : new PathString("/");
            return MatchRule(byPath, prefix, rest);
        }

        return null;
    }

    /// <summary>
    /// Routes a request that arrived on a service's own endpoint (see <see cref="ServiceEndpoint"/>) to the route
    /// whose path name is <paramref name="pathName"/>, with the whole path forwarded; null when no such route is
    /// served (any more) or no rule matches.
    /// </summary>
    public IngressMatch? MatchService(string ns, string pathName, PathString path) =>
        _table.ByPath.TryGetValue((ns, pathName), out var route) ? MatchRule(route, PathString.Empty, path) : null;

    private static IngressMatch? MatchRule(IngressRoute route, PathString prefix, PathString forwardPath)
    {
        // A loop, not LINQ: no closure or enumerator per request.
        var rules = route.Rules;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (rule.PathPattern is null || rule.PathPattern.IsMatch(forwardPath.Value ?? "/"))
            {
                return new IngressMatch(route, rule, prefix, forwardPath);
            }
        }

        return null;
    }

    private static ReadOnlySpan<char> StripPort(ReadOnlySpan<char> host)
    {
        // [::1]:8080, host:8080, host
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']');
            return end < 0 ? host : host[..(end + 1)];
        }

        // The tables compare ignoring case and are looked up by span: no lower-casing, no allocation.
        var colon = host.LastIndexOf(':');
        return colon < 0 ? host : host[..colon];
    }

    private sealed class Table
    {
        public Table(List<IngressRoute> routes)
        {
            Routes = routes;
            var byHost = new Dictionary<string, IngressRoute>(StringComparer.OrdinalIgnoreCase);
            var byPath = new Dictionary<(string, string), IngressRoute>();
            foreach (var route in routes)
            {
                foreach (var host in route.Hosts)
                {
                    if (!byHost.TryAdd(host, route))
                    {
                        throw new ArgumentException($"Host \"{host}\" is claimed by two routes.", nameof(routes));
                    }
                }

                if (!byPath.TryAdd((route.Namespace, route.PathName), route))
                {
                    throw new ArgumentException($"Path /{PathRoot}/{route.Namespace}/{route.PathName} is claimed by two routes.", nameof(routes));
                }
            }

            ByHost = byHost.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
            ByHostSpan = ByHost.GetAlternateLookup<ReadOnlySpan<char>>();
            ByPath = byPath.ToFrozenDictionary();
        }

        public IReadOnlyList<IngressRoute> Routes { get; }

        public FrozenDictionary<string, IngressRoute> ByHost { get; }

        public FrozenDictionary<string, IngressRoute>.AlternateLookup<ReadOnlySpan<char>> ByHostSpan { get; }

        public FrozenDictionary<(string, string), IngressRoute> ByPath { get; }
    }
}
