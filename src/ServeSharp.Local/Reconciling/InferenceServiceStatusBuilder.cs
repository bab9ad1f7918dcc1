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

    /// <summary>
    /// The status for <paramref name="components"/> (predictor first, then transformer / explainer) and the
    /// Standard-mode <paramref name="canaries"/> (which do not gate <c>Ready</c>; <c>CanaryPredictorReady</c> reports them).
    /// </summary>
    public static InferenceServiceStatus Build(
        InferenceService isvc,
        IReadOnlyList<ComponentState> components,
        IReadOnlyList<CanaryComponent> canaries,
        bool routed,
        Func<string, string> host,
        string address,
        DateTime now)
    {
        var old = isvc.Status ?? new InferenceServiceStatus();
        var predictor = components.First(c => c.Component == "predictor");
        var allReady = components.All(c => c.Ready);
        var ingressReady = allReady && routed;
        var notReady = components.FirstOrDefault(c => !c.Ready);
        var conditions = components.Select(c => ComponentCondition(old, $"{Title(c.Component)}Ready", c, now)).ToList();
        if (canaries.Count > 0)
        {
            var waiting = canaries.Where(c => !c.State.Ready).Select(c => c.Name).ToList();
            conditions.Add(Condition(old, "CanaryPredictorReady", waiting.Count == 0, "CanariesNotReady", $"canaries not ready: {string.Join(", ", waiting)}", now) with
            {
                Reason = waiting.Count == 0 ? "AllCanariesReady" : "CanariesNotReady",
            });
        }

        var ingressReason = notReady is null ? "Ingress not ready" : $"{Title(notReady.Component)} ingress not created";
        conditions.Add(Condition(old, "IngressReady", ingressReady, ingressReason, null, now));
        conditions.Add(Condition(old, "LatestDeploymentReady", allReady, $"{Title(notReady?.Component ?? "predictor")}ConfigurationReady not ready", null, now));
        conditions.Add(Condition(old, "RoutesReady", ingressReady, $"{Title(notReady?.Component ?? "predictor")}RouteReady not ready", null, now));
        var (readyReason, readyMessage) = notReady is null ? ("IngressNotReady", "routes not created") : Failure(notReady);
        conditions.Add(Condition(old, "Ready", ingressReady, readyReason, readyMessage, now));

        return old with
        {
            ObservedGeneration = isvc.Metadata.Generation,
            Conditions = conditions,
            Url = ingressReady ? $"http://{host(isvc.Name)}" : null,
            Address = ingressReady ? new Addressable { Url = address } : null,
            DeploymentMode = DeploymentMode(isvc),
            ServingRuntimeName = predictor.Runtime is { ClusterScoped: false } sr ? sr.Name : null,
            ClusterServingRuntimeName = predictor.Runtime is { ClusterScoped: true } csr ? csr.Name : null,
            Annotations = new Dictionary<string, string> { [RevisionsAnnotation] = RevisionsJson(components.Concat(canaries.Select(c => c.State))) },
            Components = components.Any(c => c.Latest is not null)
                ? components.Where(c => c.Latest is not null).ToDictionary(c => c.Component, c => ComponentStatus(isvc, c, host))
                : null,
            CanaryStatuses = canaries.Count == 0 ? null : canaries.Select(c => new CanaryStatus
            {
                Name = c.Name,
                Ready = c.State.Ready,
                TrafficPercent = c.Percent,
                ModelStatus = ModelStatus(c.State),
            }).ToList(),
            ModelStatus = ModelStatus(predictor),
        };
    }

    /// <summary><c>status.deploymentMode</c>: Standard when the annotation says so (legacy RawDeployment too), else Knative.</summary>
    private static string DeploymentMode(InferenceService isvc) =>
        isvc.GetAnnotation("serving.kserve.io/deploymentMode") is "Standard" or "RawDeployment" ? "Standard" : "Knative";

    private static ModelStatus ModelStatus(ComponentState component)
    {
        var latest = component.Latest;
        var failed = component.FailureReason is not null;
        return new ModelStatus
        {
            TransitionStatus = failed ? "BlockedByFailedLoad" : component.Ready ? "UpToDate" : "InProgress",
            States = new ModelRevisionStates
            {
                ActiveModelState = component.Ready ? "Loaded" : string.Empty,
                TargetModelState = failed ? "FailedToLoad" : component.Ready ? "Loaded" : "Loading",
            },
            LastFailureInfo = failed
                ? new FailureInfo
                {
                    Reason = component.FailureReason,
                    Message = component.FailureMessage,
                    ModelRevisionName = latest?.Name,
                    ExitCode = component.FailureExitCode,
                    Location = latest?.Group.Replicas.FirstOrDefault()?.Id,
                }
                : null,
            Copies = new ModelCopies { FailedCopies = 0, TotalCopies = latest?.Group.Ready.Length ?? 0 },
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

/// <summary>A Standard-mode canary predictor (<c>spec.canary[]</c>) with its traffic percent.</summary>
internal sealed record CanaryComponent(string Name, ComponentState State, int Percent);
