using System.Reflection;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Runtimes;

/// <summary>
/// The ClusterServingRuntimes shipped in <c>deploy/runtimes/</c> (embedded in this assembly): KServe's own runtimes
/// (<see cref="KServe"/>) and ServeSharp's native ones (<see cref="ServeSharp"/>).
/// </summary>
public static class BuiltInRuntimes
{
    private static readonly Lazy<IReadOnlyList<ClusterServingRuntime>> KServeSet = new(() => Load("runtimes/kserve/"));
    private static readonly Lazy<IReadOnlyList<ClusterServingRuntime>> ServeSharpSet = new(() => Load("runtimes/servesharp/"));

    /// <summary>KServe's runtimes for the formats ServeSharp serves natively; <see cref="Default"/> leaves them out.</summary>
    public static IReadOnlyList<string> ReplacedByServeSharp { get; } =
        ["kserve-sklearnserver", "kserve-xgbserver", "kserve-lgbserver", "kserve-pmmlserver"];

    /// <summary>KServe's shipped runtimes (<c>config/runtimes</c>), selection fields copied exactly.</summary>
    public static IReadOnlyList<ClusterServingRuntime> KServe => KServeSet.Value;

    /// <summary>ServeSharp's native runtimes (<c>servesharp serve</c>).</summary>
    public static IReadOnlyList<ClusterServingRuntime> ServeSharp => ServeSharpSet.Value;

    /// <summary>
    /// What a fresh ServeSharp installation has: the native runtimes plus KServe's runtimes for every other format.
    /// The native runtimes copy the selection fields of the KServe runtimes they replace, so selection results match KServe's.
    /// </summary>
    public static IReadOnlyList<ClusterServingRuntime> Default =>
        [.. ServeSharp, .. KServe.Where(r => !ReplacedByServeSharp.Contains(r.Name))];

    /// <summary>A catalog of <see cref="Default"/>.</summary>
    public static RuntimeCatalog DefaultCatalog() => new(Default);

    /// <summary>Loads every ClusterServingRuntime YAML file from a folder (e.g. a user's edited copy of deploy/runtimes).</summary>
    public static IReadOnlyList<ClusterServingRuntime> LoadFolder(string folder)
    {
        var result = new List<ClusterServingRuntime>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            result.AddRange(Parse(File.ReadAllText(file), file));
        }
        return result;
    }

    private static IReadOnlyList<ClusterServingRuntime> Load(string prefix)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var result = new List<ClusterServingRuntime>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            result.AddRange(Parse(reader.ReadToEnd(), name));
        }
        return result;
    }

    private static IEnumerable<ClusterServingRuntime> Parse(string text, string source)
    {
        foreach (var document in ManifestReader.Read(text, source))
        {
            if (document.Problem is not null)
            {
                throw new InvalidOperationException($"built-in runtime {source} is invalid: {KubectlErrorFormatter.Format(document, source)}");
            }
            if (document.Resource is ClusterServingRuntime runtime)
            {
                yield return runtime;
            }
        }
    }
}
