using System.Text.Json.Nodes;
using ServeSharp.Control.Admission;
using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Configuration;
using ServeSharp.Control.Runtimes;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Pipeline;

/// <summary>
/// The API-server path for one object, backend-neutral: schema/strict decoding, KServe's mutating webhook, its validating
/// webhooks (create or update), then — for InferenceServices — the runtime the controller would select.
/// Used by <c>servesharp validate</c>, <c>servesharp apply --dry-run</c> and the daemon's API.
/// </summary>
public sealed class AdmissionPipeline(InferenceServiceConfig config, IRuntimeCatalog runtimes)
{
    private readonly InferenceServiceDefaulter defaulter = new(config);

    /// <summary>The configuration in use.</summary>
    public InferenceServiceConfig Config => config;

    /// <summary>Admits a raw JSON object (e.g. a request body); <paramref name="existing"/> is the stored object on update.</summary>
    public AdmissionOutcome Admit(JsonNode obj, KServeResource? existing = null) =>
        Admit(ManifestReader.Decode(obj), existing);

    /// <summary>Admits a decoded manifest document; <paramref name="existing"/> is the stored object on update.</summary>
    public AdmissionOutcome Admit(ManifestDocument document, KServeResource? existing = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Problem is not null || document.Resource is null)
        {
            return new AdmissionOutcome { Document = document, Problem = document.Problem };
        }
        var resource = KubeJson.Clone(document.Resource);
        switch (resource)
        {
            case InferenceService isvc:
                defaulter.Default(isvc);
                var verdict = existing is InferenceService old
                    ? InferenceServiceValidator.ValidateUpdate(isvc, old)
                    : InferenceServiceValidator.ValidateCreate(isvc);
                if (!verdict.IsAllowed)
                {
                    return Denied(document, InferenceServiceValidator.WebhookName, verdict);
                }
                return new AdmissionOutcome
                {
                    Document = document,
                    Admitted = isvc,
                    Warnings = verdict.Warnings,
                    Runtime = RuntimeSelector.Select(isvc, runtimes),
                };
            case ServingRuntimeBase runtime:
                var peers = runtime.IsClusterScoped
                    ? runtimes.ClusterServingRuntimes().Cast<ServingRuntimeBase>().ToList()
                    : runtimes.ServingRuntimes(runtime.Namespace).Cast<ServingRuntimeBase>().ToList();
                if (existing is ServingRuntimeBase stored && peers.All(p => p.Name != stored.Name))
                {
                    peers.Add(stored);
                }
                var runtimeVerdict = ServingRuntimeValidator.Validate(runtime, peers);
                return runtimeVerdict.IsAllowed
                    ? new AdmissionOutcome { Document = document, Admitted = runtime }
                    : Denied(document, runtime.IsClusterScoped ? ServingRuntimeValidator.ClusterWebhookName : ServingRuntimeValidator.WebhookName, runtimeVerdict);
            case TrainedModel tm:
                var tmVerdict = TrainedModelValidator.Validate(tm, existing as TrainedModel);
                return tmVerdict.IsAllowed
                    ? new AdmissionOutcome { Document = document, Admitted = tm }
                    : Denied(document, TrainedModelValidator.WebhookName, tmVerdict);
            case InferenceGraph ig:
                var igVerdict = InferenceGraphValidator.Validate(ig);
                return igVerdict.IsAllowed
                    ? new AdmissionOutcome { Document = document, Admitted = ig }
                    : Denied(document, InferenceGraphValidator.WebhookName, igVerdict);
            default:
                return new AdmissionOutcome { Document = document, Admitted = resource };
        }
    }

    private static AdmissionOutcome Denied(ManifestDocument document, string webhook, AdmissionVerdict verdict) => new()
    {
        Document = document,
        Problem = new ManifestProblem(ManifestProblemKind.Denied, [verdict.Error!], webhook),
        Warnings = verdict.Warnings,
    };
}
