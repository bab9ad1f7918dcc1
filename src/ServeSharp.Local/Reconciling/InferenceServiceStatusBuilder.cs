using System.Text.Json.Nodes;
using ServeSharp.Control.Api.V1Beta1;
using IsvcTraffic = ServeSharp.Control.Api.V1Beta1.TrafficTarget;

namespace ServeSharp.Local.Reconciling;

/// <summary>
/// Builds KServe's InferenceService status from the local components: <c>PredictorReady</c> / <c>TransformerReady</c>
/// (False with the failure's reason and message: fetch or load error, crash loop, missing runtime…), <c>IngressReady</c>,
/// <c>LatestDeploymentReady</c>, <c>RoutesReady</c>, <c>Ready</c>; URLs; per-component revisions and traffic; model status.
/// The live revisions are recorded in <see cref="RevisionsAnnotation"/> so a restarted daemon can bring them back.
/// </summary>
internal static class InferenceServiceStatusBuilder
{
    /// <summary>Status annotation holding the live revisions: <c>[{component, name, hash, spec}]</c>.</summary>
    public const string RevisionsAnnotation = "serving.servesharp.io/revisions";

    public static InferenceServiceStatus Build(
        InferenceService isvc,
        IReadOnlyList<ComponentState> components,
        bool routed,
        Func<string, string> host,
        string address,
        DateTime now)
    {
        var old = isvc.Status ?? new InferenceServiceStatus();
        var predictor = components.First(c => c.Component == "predictor");
        var transformer = components.FirstOrDefault(c => c.Component == "transformer");
        var allReady = components.All(c => c.Ready);
        var ingressReady = allReady && routed;
        var notReady = components.FirstOrDefault(c => !c.Ready);
        var conditions = new List<Condition> { ComponentCondition(old, "PredictorReady", predictor, now) };
        if (transformer is not null)
        {
            conditions.Add(ComponentCondition(old, "TransformerReady", transformer, now));
        }

        var ingressReason = notReady is null ? "Ingress not ready" : $"{Title(notReady.Component)} ingress not created";
        conditions.Add(Condition(old, "IngressReady", ingressReady, ingressReason, null, now));
        conditions.Add(Condition(old, "LatestDeploymentReady", allReady, $"{Title(notReady?.Component ?? "predictor")}ConfigurationReady not ready", null, now));
        conditions.Add(Condition(old, "RoutesReady", ingressReady, $"{Title(notReady?.Component ?? "predictor")}RouteReady not ready", null, now));
        var (readyReason, readyMessage) = notReady is null ? ("IngressNotReady", "routes not created") : Failure(notReady);
        conditions.Add(Condition(old, "Ready", ingressReady, readyReason, readyMessage, now));

        var latest = predictor.Latest;
        var failed = predictor.FailureReason is not null;
        return old with
        {
            ObservedGeneration = isvc.Metadata.Generation,
            Conditions = conditions,
            Url = ingressReady ? $"http://{host(isvc.Name)}" : null,
            Address = ingressReady ? new Addressable { Url = address } : null,
            DeploymentMode = "Knative",
            ServingRuntimeName = predictor.Runtime is { ClusterScoped: false } sr ? sr.Name : null,
            ClusterServingRuntimeName = predictor.Runtime is { ClusterScoped: true } csr ? csr.Name : null,
            Annotations = new Dictionary<string, string> { [RevisionsAnnotation] = RevisionsJson(components) },
            Components = components.Any(c => c.Latest is not null)
                ? components.Where(c => c.Latest is not null).ToDictionary(c => c.Component, c => ComponentStatus(isvc, c, host))
                : null,
            ModelStatus = new ModelStatus
            {
                TransitionStatus = failed ? "BlockedByFailedLoad" : predictor.Ready ? "UpToDate" : "InProgress",
                States = new ModelRevisionStates
                {
                    ActiveModelState = predictor.Ready ? "Loaded" : string.Empty,
                    TargetModelState = failed ? "FailedToLoad" : predictor.Ready ? "Loaded" : "Loading",
                },
                LastFailureInfo = failed
                    ? new FailureInfo
                    {
                        Reason = predictor.FailureReason,
                        Message = predictor.FailureMessage,
                        ModelRevisionName = latest?.Name,
                        ExitCode = predictor.FailureExitCode,
                        Location = latest?.Group.Replicas.FirstOrDefault()?.Id,
                    }
                    : null,
                Copies = new ModelCopies { FailedCopies = 0, TotalCopies = latest?.Group.Ready.Length ?? 0 },
            },
        };
    }

    private static ComponentStatusSpec ComponentStatus(InferenceService isvc, ComponentState component, Func<string, string> host)
    {
        var latest = component.Latest!;
        return new ComponentStatusSpec
        {
            LatestCreatedRevision = latest.Name,
            LatestReadyRevision = component.Revisions.LastOrDefault(r => r.EverReady)?.Name,
            LatestRolledoutRevision = component.LatestRolledOut,
            PreviousRolledoutRevision = component.PreviousRolledOut,
            Url = component.Ready ? $"http://{host($"{isvc.Name}-{component.Component}")}" : null,
            Traffic = component.Split.Where(s => s.Percent > 0 || s.Tag is not null).Select(s => new IsvcTraffic
            {
                RevisionName = s.Revision.Name,
                LatestRevision = s.Revision == latest,
                Percent = s.Percent,
                Tag = s.Tag,
                Url = s.Tag is null ? null : $"http://{host($"{s.Tag}-{isvc.Name}")}",
            }).ToList(),
        };
    }

    private static string RevisionsJson(IEnumerable<ComponentState> components)
    {
        var array = new JsonArray();
        foreach (var component in components)
        {
            foreach (var revision in component.Revisions)
            {
                array.Add(new JsonObject
                {
                    ["component"] = component.Component,
                    ["name"] = revision.Name,
                    ["hash"] = revision.Hash,
                    ["spec"] = revision.Spec.DeepClone(),
                });
            }
        }

        return array.ToJsonString();
    }

    private static (string Reason, string Message) Failure(ComponentState component) =>
        component.FailureReason is { } reason
            ? (reason, component.FailureMessage ?? reason)
            : component.Latest is { } latest
                ? ("RevisionNotReady", $"{component.Component} revision {latest.Name} has no ready replica yet")
                : ("RevisionMissing", $"no {component.Component} revision has been created");

    private static Condition ComponentCondition(InferenceServiceStatus old, string type, ComponentState component, DateTime now)
    {
        var (reason, message) = Failure(component);
        return Condition(old, type, component.Ready, reason, message, now);
    }

    private static Condition Condition(InferenceServiceStatus old, string type, bool ready, string reason, string? message, DateTime now)
    {
        var status = ready ? "True" : "False";
        var previous = old.Conditions?.FirstOrDefault(c => c.Type == type);
        return new Condition
        {
            Type = type,
            Status = status,
            LastTransitionTime = previous?.Status == status ? previous.LastTransitionTime : now,
            Reason = ready ? null : reason,
            Message = ready ? null : message,
        };
    }

    private static string Title(string component) => char.ToUpperInvariant(component[0]) + component[1..];
}
