using System.Text.Json;
using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Configuration;
using ServeSharp.Control.Pipeline;
using ServeSharp.Control.Runtimes;
using ServeSharp.Control.Serialization;
using ServeSharp.Local.Api;
using ServeSharp.Local.Store;

namespace ServeSharp.Local.Reconciling;

/// <summary>
/// Runs the control plane's <see cref="AdmissionPipeline"/> (schema, defaulting, validation, runtime selection) on every
/// create and update through the daemon's API, with the ServingRuntimes and ClusterServingRuntimes currently stored.
/// A rejection becomes 422 Invalid carrying the webhook's messages; the admitted (defaulted) object is what gets stored.
/// </summary>
public sealed class PipelineAdmissionHook(InferenceServiceConfig config) : IAdmissionHook
{
    private static readonly ResourceType ServingRuntimeType = ResourceTypeRegistry.KServe.FindByName("sr")!;
    private static readonly ResourceType ClusterServingRuntimeType = ResourceTypeRegistry.KServe.FindByName("csr")!;

    /// <inheritdoc />
    public async ValueTask<AdmissionResult> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Object is null)
        {
            return AdmissionResult.Allow();
        }

        var runtimes = new List<ServingRuntimeBase>();
        runtimes.AddRange(Decode<ServingRuntime>((await request.Store.ListAsync(ServingRuntimeType, null, cancellationToken).ConfigureAwait(false)).Items));
        runtimes.AddRange(Decode<ClusterServingRuntime>((await request.Store.ListAsync(ClusterServingRuntimeType, null, cancellationToken).ConfigureAwait(false)).Items));
        KServeResource? existing = null;
        if (request.OldObject is not null)
        {
            existing = ManifestReader.Decode(request.OldObject).Resource;
        }

        var outcome = new AdmissionPipeline(config, new RuntimeCatalog(runtimes)).Admit(request.Object, existing);
        if (!outcome.IsAdmitted)
        {
            var problem = outcome.Problem;
            var details = problem?.Details.Count > 0 ? problem.Details.ToArray() : [$"{problem?.Kind}"];
            return AdmissionResult.Deny(problem?.Webhook is { } webhook
                ? details.Select(d => $"admission webhook \"{webhook}\" denied the request: {d}").ToArray()
                : details);
        }

        return AdmissionResult.AllowWith(KubeJson.SerializeToNode(outcome.Admitted!).AsObject());
    }

    private static IEnumerable<T> Decode<T>(IEnumerable<System.Text.Json.Nodes.JsonObject> items)
        where T : class
    {
        foreach (var item in items)
        {
            T? value = null;
            try
            {
                value = KubeJson.Deserialize<T>(item);
            }
            catch (JsonException)
            {
                // A stored runtime that no longer decodes is skipped rather than blocking every write.
            }

            if (value is not null)
            {
                yield return value;
            }
        }
    }
}
