using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Configuration;
using ServeSharp.Control.Runtimes;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Pipeline;

/// <summary>
/// Applies a whole manifest file in order against an in-memory view, as <c>kubectl apply --dry-run=server</c> would:
/// runtimes admitted earlier in the file are visible to the InferenceServices after them.
/// </summary>
public sealed class ManifestDryRun(InferenceServiceConfig config, RuntimeCatalog baseline)
{
    /// <summary>Runs every document of <paramref name="text"/> (named <paramref name="source"/>) through admission.</summary>
    /// <exception cref="ManifestSyntaxException">The file is not valid YAML/JSON.</exception>
    public IReadOnlyList<AdmissionOutcome> Run(string text, string source)
    {
        var documents = ManifestReader.Read(text, source);
        var catalog = baseline;
        var outcomes = new List<AdmissionOutcome>();
        foreach (var document in documents)
        {
            var outcome = new AdmissionPipeline(config, catalog).Admit(document);
            if (outcome.Admitted is ServingRuntimeBase runtime)
            {
                catalog = catalog.With([runtime]);
            }
            outcomes.Add(outcome);
        }
        return outcomes;
    }
}
