using ServeSharp.Control.Api.V1Alpha1;

namespace ServeSharp.Control.Runtimes;

/// <summary>Where runtime selection looks up runtimes (a store, the built-ins, or both).</summary>
public interface IRuntimeCatalog
{
    /// <summary>Namespaced runtimes of <paramref name="ns"/>.</summary>
    IReadOnlyList<ServingRuntime> ServingRuntimes(string ns);

    /// <summary>Cluster-scoped runtimes.</summary>
    IReadOnlyList<ClusterServingRuntime> ClusterServingRuntimes();
}

/// <summary>A fixed list of runtimes.</summary>
public sealed class RuntimeCatalog(IEnumerable<ServingRuntimeBase> runtimes) : IRuntimeCatalog
{
    private readonly List<ServingRuntimeBase> runtimes = runtimes.ToList();

    /// <inheritdoc />
    public IReadOnlyList<ServingRuntime> ServingRuntimes(string ns) =>
        runtimes.OfType<ServingRuntime>().Where(r => r.Namespace == ns).ToList();

    /// <inheritdoc />
    public IReadOnlyList<ClusterServingRuntime> ClusterServingRuntimes() => runtimes.OfType<ClusterServingRuntime>().ToList();

    /// <summary>A catalog with extra runtimes added (later ones replace same-kind, same-name, same-namespace ones).</summary>
    public RuntimeCatalog With(IEnumerable<ServingRuntimeBase> more)
    {
        var merged = new List<ServingRuntimeBase>(runtimes);
        foreach (var runtime in more)
        {
            merged.RemoveAll(r => r.Kind == runtime.Kind && r.Name == runtime.Name && (r.IsClusterScoped || r.Namespace == runtime.Namespace));
            merged.Add(runtime);
        }
        return new RuntimeCatalog(merged);
    }
}
