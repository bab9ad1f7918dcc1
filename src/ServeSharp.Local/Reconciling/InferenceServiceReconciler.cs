using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Serialization;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Store;
using ServeSharp.Local.Supervision;
using ServeSharp.Storage;
using IsvcTraffic = ServeSharp.Control.Api.V1Beta1.TrafficTarget;

namespace ServeSharp.Local.Reconciling;

/// <summary>
/// Drives InferenceServices in the store to running processes: each change of the predictor's runnable spec makes
/// a new revision (<c>{isvc}-predictor-00001</c>, …) whose model is fetched with ServeSharp.Storage and whose replicas
/// the supervisor runs under the autoscaler; traffic follows KServe's Knative-mode canary rules
/// (<c>canaryTrafficPercent</c> splits between the latest ready and the last rolled-out revision; tags with
/// <c>serving.kserve.io/enable-tag-routing</c>); the ingress routes <c>{isvc}.{ns}.{domain}</c> and
/// <c>/serving/{ns}/{isvc}/</c>; status gets KServe's conditions, URLs, traffic and revisions.
/// </summary>
public sealed partial class InferenceServiceReconciler : IAsyncDisposable
{
    private const string PredictorKey = "predictor";
    private const string ExplainerKey = "explainer";
    private static readonly ResourceType IsvcType = ResourceTypeRegistry.KServe.FindByName("isvc")!;

    private readonly IResourceStore _store;
    private readonly ProcessSupervisor _supervisor;
    private readonly IngressRouter _router;
    private readonly RevisionAutoscaler _autoscaler;
    private readonly ModelDownloader _downloader;
    private readonly ComponentLauncher _launcher;
    private readonly LocalPlatformOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<(string Ns, string Name), ServiceState> _services = [];
    private readonly Channel<(string Ns, string Name)> _queue = Channel.CreateUnbounded<(string, string)>();

    /// <summary>Creates the reconciler; <see cref="RunAsync"/> runs it.</summary>
    public InferenceServiceReconciler(
        IResourceStore store,
        ProcessSupervisor supervisor,
        IngressRouter router,
        RevisionAutoscaler autoscaler,
        ModelDownloader downloader,
        LocalPlatformOptions options,
        TimeProvider time,
        ILogger<InferenceServiceReconciler> logger)
    {
        _store = store;
        _supervisor = supervisor;
        _router = router;
        _autoscaler = autoscaler;
        _downloader = downloader;
        _launcher = new ComponentLauncher(options);
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Watches InferenceServices and reconciles each change until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var watching = Task.Run(() => WatchAsync(cancellationToken), cancellationToken);
        try
        {
            await foreach (var key in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await ReconcileAsync(key.Ns, key.Name, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    ReconcilerLog.Failed(_logger, $"{key.Ns}/{key.Name}", e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        await watching.ConfigureAwait(false);
    }

    /// <summary>Stops every revision's processes.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var state in _services.Values)
        {
            foreach (var revision in state.Components.Values.SelectMany(c => c.Revisions))
            {
                _autoscaler.Unregister(revision.Backend.Name);
            }
        }

        await _supervisor.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            var list = await _store.ListAsync(IsvcType, null, cancellationToken).ConfigureAwait(false);
            foreach (var item in list.Items)
            {
                Enqueue(ObjectMeta.Namespace(item)!, ObjectMeta.Name(item)!);
            }

            await foreach (var e in _store.WatchAsync(IsvcType, null, list.ResourceVersion, cancellationToken).ConfigureAwait(false))
            {
                Enqueue(ObjectMeta.Namespace(e.Object)!, ObjectMeta.Name(e.Object)!);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
        finally
        {
            _queue.Writer.TryComplete();
        }
    }

    private void Enqueue(string ns, string name) => _queue.Writer.TryWrite((ns, name));

    private async Task ReconcileAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var key = new ResourceKey(IsvcType, ns, name);
        var obj = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (!_services.TryGetValue((ns, name), out var state))
        {
            if (obj is null)
            {
                return;
            }

            state = new ServiceState();
            _services[(ns, name)] = state;
        }

        if (obj is null)
        {
            await TeardownAsync(ns, name, state).ConfigureAwait(false);
            return;
        }

        var isvc = KubeJson.Deserialize<InferenceService>(obj);
        var status = isvc.Status ?? new InferenceServiceStatus();
        var tagged = isvc.GetAnnotation("serving.kserve.io/enable-tag-routing") == "true";
        var wanted = new HashSet<string>(StringComparer.Ordinal) { PredictorKey };

        // Standard-mode canary predictors (spec.canary[]): each its own component, stable spec with the override merged.
        var canaries = new List<(string Name, ComponentState State, int Percent)>();
        var stableMin = isvc.Spec.Predictor.MinReplicas;
        foreach (var (canary, index) in (isvc.Spec.Canary ?? []).Select((c, i) => (c, i)))
        {
            var canaryName = canary.Predictor.Name ?? $"canary-{index}";
            var componentKey = CanaryKey(canaryName);
            wanted.Add(componentKey);
            var cs = Component(state, componentKey, $"{name}-{canaryName}-predictor", status);
            var merged = CanaryPredictor(obj, index, canary.TrafficPercent ?? 0, stableMin ?? 1);
            var canaryIsvc = isvc with { Spec = isvc.Spec with { Predictor = KubeJson.Deserialize<PredictorSpec>(merged) } };
            await ReconcileComponentAsync(ns, name, cs, _launcher.ForPredictor(canaryIsvc), HashOf(merged), null, tagged: false, cancellationToken).ConfigureAwait(false);
            canaries.Add((canaryName, cs, canary.TrafficPercent ?? 0));
        }

        // KServe: an explicit stable minReplicas is reduced by the replicas of ready canaries (floor 1).
        var predictorLaunch = WithScalingAnnotations(_launcher.ForPredictor(isvc), isvc);
        if (stableMin is { } min && canaries.Count > 0)
        {
            var canaryReplicas = canaries.Where(c => c.State.Ready).Sum(c => c.State.Scaling?.MinReplicas ?? 0);
            predictorLaunch = predictorLaunch with { Autoscaling = predictorLaunch.Autoscaling with { MinReplicas = Math.Max(1, min - canaryReplicas) } };
        }

        var predictor = Component(state, PredictorKey, $"{name}-predictor", status);
        await ReconcileComponentAsync(ns, name, predictor, predictorLaunch, HashOf(obj["spec"]?["predictor"]), isvc.Spec.Predictor.CanaryTrafficPercent, tagged, cancellationToken).ConfigureAwait(false);

        ComponentState? explainer = null;
        if (isvc.Spec.Explainer is not null)
        {
            wanted.Add(ExplainerKey);
            explainer = Component(state, ExplainerKey, $"{name}-explainer", status);
            var launch = WithScalingAnnotations(ComponentLauncher.ForExplainer(isvc, PredictorHost(ns, name)), isvc);
            await ReconcileComponentAsync(ns, name, explainer, launch, HashOf(obj["spec"]?["explainer"]), isvc.Spec.Explainer.CanaryTrafficPercent, tagged: false, cancellationToken).ConfigureAwait(false);
        }

        foreach (var gone in state.Components.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            await RemoveComponentAsync(state, gone).ConfigureAwait(false);
        }

        if (predictor.FailureReason is not null)
        {
            ReconcilerLog.NotReady(_logger, $"{ns}/{name}", predictor.FailureReason, predictor.FailureMessage!);
        }

        UpdateRoutes(ns, name, state, predictor, canaries, explainer, tagged);
        await WriteStatusAsync(key, isvc, state, predictor, canaries, explainer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The component's state, created with what the stored status says about its earlier revisions (restart).</summary>
    private static ComponentState Component(ServiceState state, string componentKey, string revisionPrefix, InferenceServiceStatus status)
    {
        if (!state.Components.TryGetValue(componentKey, out var cs))
        {
            string? created = null;
            string? hash = null;
            if (status.Annotations is { } annotations)
            {
                annotations.TryGetValue(CreatedAnnotation(componentKey), out created);
                annotations.TryGetValue(HashAnnotation(componentKey), out hash);
            }

            if (created is null && status.Components is { } components && components.TryGetValue(componentKey, out var componentStatus))
            {
                created = componentStatus.LatestCreatedRevision;
            }

            cs = new ComponentState(revisionPrefix, created, hash);
            state.Components[componentKey] = cs;
        }

        return cs;
    }

    /// <summary>Knative's per-revision <c>autoscaling.knative.dev/*</c> annotations; a bad value stops new revisions and says why.</summary>
    private static ComponentLaunch WithScalingAnnotations(ComponentLaunch launch, InferenceService isvc)
    {
        try
        {
            var scaling = KnativeScalingAnnotations.Apply(launch.Autoscaling, isvc.Metadata.Annotations);
            scaling.Validate();
            return launch with { Autoscaling = scaling };
        }
        catch (ArgumentException e)
        {
            return launch with { Template = null, Reason = "InvalidAutoscalingAnnotation", Error = e.Message };
        }
    }

    /// <summary>Makes a new revision when the component's spec changed, then computes its traffic and drops unused revisions.</summary>
    private async Task ReconcileComponentAsync(
        string ns, string name, ComponentState cs, ComponentLaunch launch, string hash, long? canaryPercent, bool tagged, CancellationToken cancellationToken)
    {
        cs.FailureReason = launch.Reason;
        cs.FailureMessage = launch.Error;
        cs.Hash = hash;
        var latest = cs.Revisions.LastOrDefault();
        if (launch.Template is not null && (latest is null || latest.Hash != hash))
        {
            if (cs.NextNumber == 0)
            {
                cs.NextNumber = RevisionNumber(cs.RestoredCreated) + 1;
                if (cs.RestoredHash == hash && cs.RestoredCreated is not null)
                {
                    cs.NextNumber--;
                }
            }

            var revisionName = string.Create(CultureInfo.InvariantCulture, $"{cs.RevisionPrefix}-{cs.NextNumber:00000}");
            try
            {
                var modelDir = launch.StorageUri is null ? null : await FetchAsync(ns, revisionName, launch.StorageUri, cancellationToken).ConfigureAwait(false);
                var env = new Dictionary<string, string>(launch.Template.Environment, StringComparer.Ordinal)
                {
                    ["INFERENCE_SERVICE_NAME"] = name,
                    ["MODEL_DIR"] = modelDir ?? string.Empty,
                };
                var group = _supervisor.GetOrCreateGroup($"{ns}.{revisionName}", launch.Template with { Environment = env });
                var backend = new RevisionBackend($"{ns}/{revisionName}", group, _time);
                // Knative counts a revision created at zero scale (initial-scale 0, min 0) ready: the activator starts it on demand.
                latest = new LocalRevision(revisionName, hash, group, backend) { EverReady = launch.Autoscaling is { InitialScale: 0, MinReplicas: 0 } };
                group.Changed += _ => Enqueue(ns, name);
                cs.Revisions.Add(latest);
                cs.NextNumber++;
                _autoscaler.Register(backend, group, launch.Autoscaling);
                ReconcilerLog.RevisionCreated(_logger, revisionName, $"{ns}/{name}");
            }
            catch (StorageException e)
            {
                cs.FailureReason = "ModelLoadFailed";
                cs.FailureMessage = $"fetching {launch.StorageUri} failed: {e.Message}";
            }
        }
        else if (latest is not null && launch.Template is not null && latest.Hash == hash && cs.Scaling != launch.Autoscaling)
        {
            _autoscaler.Register(latest.Backend, latest.Group, launch.Autoscaling);
        }

        cs.Scaling = launch.Autoscaling;
        cs.Split = Traffic(canaryPercent, tagged, cs, latest);
        await RemoveUnusedRevisionsAsync(cs).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>spec.canary[index].predictor</c> merged over a copy of the stable predictor, with autoscaling cleared and
    /// replicas = the canary's <c>minReplicas</c> or ceil(stable min × percent / 100), as KServe's Standard mode does.
    /// </summary>
    private static JsonObject CanaryPredictor(JsonObject obj, int index, int percent, int stableMin)
    {
        var stable = obj["spec"]?["predictor"]?.DeepClone() as JsonObject ?? new JsonObject();
        var overrides = obj["spec"]?["canary"]?[index]?["predictor"];
        var merged = Api.JsonMergePatch.Apply(stable, overrides) as JsonObject ?? new JsonObject();
        var min = (int?)merged["minReplicas"] ?? 0;
        var explicitMin = overrides?["minReplicas"] is not null;
        foreach (var field in new[] { "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "autoScaling", "canaryTrafficPercent" })
        {
            merged.Remove(field);
        }

        merged["minReplicas"] = explicitMin ? min : (int)Math.Ceiling(stableMin * percent / 100.0);
        return merged;
    }

    private async Task<string> FetchAsync(string ns, string revision, string uri, CancellationToken cancellationToken)
    {
        var local = _downloader.TryResolveLocal(uri);
        if (local is not null)
        {
            return local;
        }

        var destination = Path.Combine(_options.ModelDirectory, ns, revision);
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            return destination;
        }

        return await _downloader.DownloadAsync(uri, destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Knative's traffic rules for one component; the latest revision only gets traffic once ready.</summary>
    private static List<(LocalRevision Revision, int Percent, string? Tag)> Traffic(long? percent, bool tagged, ComponentState state, LocalRevision? latest)
    {
        var split = new List<(LocalRevision, int, string?)>();
        if (latest is null)
        {
            return split;
        }

        latest.EverReady |= !latest.Group.Ready.IsEmpty;
        var rolled = state.Revisions.FirstOrDefault(r => r.Name == state.LatestRolledOut);
        if (percent is { } p && rolled is not null && rolled != latest)
        {
            var canary = latest.EverReady ? (int)Math.Clamp(p, 0, 100) : 0;
            split.Add((latest, canary, tagged ? "latest" : null));
            if (canary < 100)
            {
                split.Add((rolled, 100 - canary, "prev"));
            }
        }
        else if (!latest.EverReady && rolled is not null && rolled != latest)
        {
            // Blue-green: the old revision keeps serving until the new one is ready.
            split.Add((latest, 0, tagged ? "latest" : null));
            split.Add((rolled, 100, "prev"));
        }
        else
        {
            split.Add((latest, 100, tagged ? "latest" : null));
        }

        // Rollout bookkeeping: a ready latest revision at 100% becomes the rolled-out one.
        if (latest.EverReady && split.Any(s => s.Item1 == latest && s.Item2 == 100) && state.LatestRolledOut != latest.Name)
        {
            state.PreviousRolledOut = state.LatestRolledOut;
            state.LatestRolledOut = latest.Name;
        }

        return split;
    }

    private async Task RemoveUnusedRevisionsAsync(ComponentState state)
    {
        var keep = state.Split.Select(s => s.Revision).ToHashSet();
        if (state.Revisions.LastOrDefault() is { } latest)
        {
            keep.Add(latest);
        }

        foreach (var revision in state.Revisions.Where(r => !keep.Contains(r) && r.Name != state.LatestRolledOut).ToList())
        {
            await RemoveRevisionAsync(state, revision).ConfigureAwait(false);
        }
    }

    private async Task RemoveRevisionAsync(ComponentState state, LocalRevision revision)
    {
        state.Revisions.Remove(revision);
        _autoscaler.Unregister(revision.Backend.Name);
        await _supervisor.RemoveGroupAsync(revision.Group.Name).ConfigureAwait(false);
        ReconcilerLog.RevisionRemoved(_logger, revision.Name);
    }

    private async Task RemoveComponentAsync(ServiceState state, string componentKey)
    {
        var cs = state.Components[componentKey];
        state.Components.Remove(componentKey);
        foreach (var revision in cs.Revisions.ToList())
        {
            await RemoveRevisionAsync(cs, revision).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The predictor's weighted targets: its own revisions, and with <c>spec.canary[]</c> each ready canary its percent
    /// and the stable predictor the rest (KServe's Standard-mode HTTPRoute weights).
    /// </summary>
    private static List<Ingress.TrafficTarget> PredictorTargets(ComponentState predictor, List<(string Name, ComponentState State, int Percent)> canaries)
    {
        var stable = predictor.Split.Where(s => s.Percent > 0).Select(s => new Ingress.TrafficTarget(s.Revision.Backend, s.Percent)).ToList();
        var ready = canaries.Where(c => c.State.Ready && c.Percent > 0 && c.State.Split.Any(s => s.Percent > 0)).ToList();
        if (ready.Count == 0)
        {
            return stable;
        }

        var stableShare = Math.Max(0, 100 - ready.Sum(c => c.Percent));
        var targets = new List<Ingress.TrafficTarget>();
        if (stableShare > 0 && stable.Count > 0)
        {
            var scaled = stable.Select(t => t with { Percent = t.Percent * stableShare / 100 }).ToList();
            scaled[0] = scaled[0] with { Percent = scaled[0].Percent + stableShare - scaled.Sum(t => t.Percent) };
            targets.AddRange(scaled);
        }

        foreach (var canary in ready)
        {
            targets.Add(new Ingress.TrafficTarget(canary.State.Split.First(s => s.Percent > 0).Revision.Backend, canary.Percent));
        }

        // Canaries summing under 100 with no serving stable revision: give the remainder to the first canary.
        var missing = 100 - targets.Sum(t => t.Percent);
        if (missing != 0)
        {
            targets[0] = targets[0] with { Percent = targets[0].Percent + missing };
        }

        return targets.Where(t => t.Percent > 0).ToList();
    }

    private void UpdateRoutes(
        string ns,
        string name,
        ServiceState state,
        ComponentState predictor,
        List<(string Name, ComponentState State, int Percent)> canaries,
        ComponentState? explainer,
        bool tagged)
    {
        var routes = new List<IngressRoute>();
        var predictorTargets = PredictorTargets(predictor, canaries);
        var predictorSplit = predictorTargets.Count > 0 ? new TrafficSplit(predictorTargets) : null;
        var explainerTargets = explainer?.Split.Where(s => s.Percent > 0).Select(s => new Ingress.TrafficTarget(s.Revision.Backend, s.Percent)).ToList();
        var explainerSplit = explainerTargets is { Count: > 0 } ? new TrafficSplit(explainerTargets) : null;

        // The service host: `:explain` to the explainer when there is one (KServe's VirtualService rule), the rest to the predictor.
        var rules = new List<IngressRule>();
        if (explainerSplit is not null)
        {
            rules.Add(new IngressRule(ExplainPath(), explainerSplit));
        }

        if (predictorSplit is not null)
        {
            rules.Add(new IngressRule(null, predictorSplit));
            routes.Add(new IngressRoute(ns, $"{name}-predictor", [Host($"{name}-predictor", ns)], [new IngressRule(null, predictorSplit)], name));
        }

        if (rules.Count > 0)
        {
            routes.Add(new IngressRoute(ns, name, [Host(name, ns)], rules, name));
        }

        if (explainerSplit is not null)
        {
            routes.Add(new IngressRoute(ns, $"{name}-explainer", [Host($"{name}-explainer", ns)], [new IngressRule(null, explainerSplit)], name));
        }

        if (tagged)
        {
            foreach (var (revision, _, tag) in predictor.Split.Where(s => s.Tag is not null))
            {
                routes.Add(new IngressRoute(ns, $"{tag}-{name}", [Host($"{tag}-{name}", ns)], [new IngressRule(null, TrafficSplit.To(revision.Backend))], name));
            }
        }

        state.Routes = routes;
        _router.Update(_services.Values.SelectMany(s => s.Routes));
    }

    /// <summary>KServe's explain match, <c>^/v1/models/[\w-]+:explain$</c>.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^/v1/models/[\w-]+:explain$")]
    private static partial System.Text.RegularExpressions.Regex ExplainPath();

    private async Task WriteStatusAsync(
        ResourceKey key,
        InferenceService isvc,
        ServiceState state,
        ComponentState predictor,
        List<(string Name, ComponentState State, int Percent)> canaries,
        ComponentState? explainer,
        CancellationToken cancellationToken)
    {
        var old = isvc.Status ?? new InferenceServiceStatus();
        var latest = predictor.Revisions.LastOrDefault();
        var predictorReady = predictor.Ready;
        var explainerReady = explainer?.Ready ?? true;
        var ingressReady = predictorReady && explainerReady && state.Routes.Count > 0;
        var now = _time.GetUtcNow().UtcDateTime;
        var (readyReason, readyMessage) = predictor.NotReadyReason();
        var ingressReason = !predictorReady ? "Predictor ingress not created" : "Explainer ingress not created";
        var conditions = new List<Condition>
        {
            Condition(old, "PredictorReady", predictorReady, readyReason, readyMessage, now),
        };
        if (explainer is not null)
        {
            var (reason, message) = explainer.NotReadyReason();
            conditions.Add(Condition(old, "ExplainerReady", explainerReady, reason, message, now));
        }

        if (canaries.Count > 0)
        {
            var notReady = canaries.Where(c => !c.State.Ready).Select(c => c.Name).ToList();
            conditions.Add(Condition(old, "CanaryPredictorReady", notReady.Count == 0, "CanariesNotReady", $"canaries not ready: {string.Join(", ", notReady)}", now) with
            {
                Reason = notReady.Count == 0 ? "AllCanariesReady" : "CanariesNotReady",
            });
        }

        conditions.Add(Condition(old, "IngressReady", ingressReady, ingressReason, null, now));
        conditions.Add(Condition(old, "LatestDeploymentReady", predictorReady && explainerReady, "PredictorConfigurationReady not ready", null, now));
        conditions.Add(Condition(old, "RoutesReady", ingressReady, "PredictorRouteReady not ready", null, now));
        conditions.Add(Condition(old, "Ready", predictorReady && ingressReady, predictorReady ? ingressReason : readyReason, predictorReady ? null : readyMessage, now));

        var host = Host(isvc.Name, key.Namespace);
        var address = $"http://127.0.0.1:{_options.IngressPort}/{IngressRouter.PathRoot}/{key.Namespace}/{isvc.Name}";
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (componentKey, cs) in state.Components)
        {
            annotations[HashAnnotation(componentKey)] = cs.Hash;
            if (cs.Revisions.LastOrDefault() is { } created)
            {
                annotations[CreatedAnnotation(componentKey)] = created.Name;
            }
        }

        var components = new Dictionary<string, ComponentStatusSpec>();
        if (latest is not null)
        {
            components[PredictorKey] = ComponentStatus(isvc.Name, key.Namespace, "predictor", predictor);
        }

        if (explainer?.Revisions.Count > 0)
        {
            components[ExplainerKey] = ComponentStatus(isvc.Name, key.Namespace, "explainer", explainer);
        }

        var status = old with
        {
            ObservedGeneration = isvc.Metadata.Generation,
            Conditions = conditions,
            Url = predictorReady ? $"http://{host}" : null,
            Address = predictorReady ? new Addressable { Url = address } : null,
            DeploymentMode = DeploymentMode(isvc),
            Annotations = annotations,
            Components = components.Count == 0 ? null : components,
            CanaryStatuses = canaries.Count == 0 ? null : canaries.Select(c => new CanaryStatus
            {
                Name = c.Name,
                Ready = c.State.Ready,
                TrafficPercent = c.Percent,
                ModelStatus = ModelStatus(c.State),
            }).ToList(),
            ModelStatus = ModelStatus(predictor),
        };

        var statusNode = KubeJson.SerializeToNode(status);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return;
            }

            if (JsonNode.DeepEquals(current["status"], statusNode))
            {
                return;
            }

            current["status"] = statusNode.DeepClone();
            try
            {
                await _store.ReplaceStatusAsync(key, current, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ResourceStoreException e) when (e.Reason == StoreErrorReason.Conflict)
            {
                // Spec changed meanwhile; its own event re-queues the service.
            }
        }
    }

    private ComponentStatusSpec ComponentStatus(string name, string ns, string component, ComponentState cs)
    {
        var latest = cs.Revisions.Last();
        return new ComponentStatusSpec
        {
            LatestCreatedRevision = latest.Name,
            LatestReadyRevision = cs.Revisions.LastOrDefault(r => r.EverReady)?.Name,
            LatestRolledoutRevision = cs.LatestRolledOut,
            PreviousRolledoutRevision = cs.PreviousRolledOut,
            Url = cs.Ready ? $"http://{Host($"{name}-{component}", ns)}" : null,
            Traffic = cs.Split.Where(s => s.Percent > 0 || s.Tag is not null).Select(s => new IsvcTraffic
            {
                RevisionName = s.Revision.Name,
                LatestRevision = s.Revision == latest,
                Percent = s.Percent,
                Tag = s.Tag,
                Url = s.Tag is null ? null : $"http://{Host($"{s.Tag}-{name}", ns)}",
            }).ToList(),
        };
    }

    private static ModelStatus ModelStatus(ComponentState cs)
    {
        var ready = cs.Ready;
        var failed = cs.FailureReason is not null;
        return new ModelStatus
        {
            TransitionStatus = failed ? "BlockedByFailedLoad" : ready ? "UpToDate" : "InProgress",
            States = new ModelRevisionStates
            {
                ActiveModelState = ready ? "Loaded" : string.Empty,
                TargetModelState = failed ? "FailedToLoad" : ready ? "Loaded" : "Loading",
            },
            LastFailureInfo = failed ? new FailureInfo { Reason = cs.FailureReason, Message = cs.FailureMessage } : null,
            Copies = new ModelCopies { FailedCopies = 0, TotalCopies = cs.Revisions.LastOrDefault()?.Group.Ready.Length ?? 0 },
        };
    }

    /// <summary><c>status.deploymentMode</c>: Standard when the annotation says so (legacy RawDeployment too), else Knative.</summary>
    private static string DeploymentMode(InferenceService isvc) =>
        isvc.GetAnnotation("serving.kserve.io/deploymentMode") is "Standard" or "RawDeployment" ? "Standard" : "Knative";

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

    private async Task TeardownAsync(string ns, string name, ServiceState state)
    {
        _services.Remove((ns, name));
        _router.Update(_services.Values.SelectMany(s => s.Routes));
        foreach (var componentKey in state.Components.Keys.ToList())
        {
            await RemoveComponentAsync(state, componentKey).ConfigureAwait(false);
        }
    }

    private string Host(string name, string ns) => $"{name}.{ns}.{_options.IngressDomain}";

    /// <summary>Where components reach the predictor (KServe's <c>--predictor_host</c>): the ingress, by path, so no DNS is needed.</summary>
    private string PredictorHost(string ns, string name) => $"127.0.0.1:{_options.IngressPort}/{IngressRouter.PathRoot}/{ns}/{name}-predictor";

    private static string CanaryKey(string canaryName) => $"canary-{canaryName}";

    private static string HashAnnotation(string componentKey) => $"serving.servesharp.io/{componentKey}-revision-hash";

    private static string CreatedAnnotation(string componentKey) => $"serving.servesharp.io/{componentKey}-latest-created";

    /// <summary>Hash of what makes a new revision: the component spec minus traffic and scaling fields.</summary>
    private static string HashOf(JsonNode? component)
    {
        var spec = component?.DeepClone() as JsonObject ?? new JsonObject();
        foreach (var field in new[] { "canaryTrafficPercent", "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric" })
        {
            spec.Remove(field);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(spec.ToJsonString())))[..16];
    }

    private static int RevisionNumber(string? revision) =>
        revision is not null && revision.Length > 5
        && int.TryParse(revision[^5..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private sealed class ServiceState
    {
        public Dictionary<string, ComponentState> Components { get; } = new(StringComparer.Ordinal);

        public List<IngressRoute> Routes { get; set; } = [];
    }

    /// <summary>One component's revisions (predictor, explainer, a Standard-mode canary), traffic and last failure.</summary>
    private sealed class ComponentState(string revisionPrefix, string? restoredCreated, string? restoredHash)
    {
        public string RevisionPrefix { get; } = revisionPrefix;

        public string? RestoredCreated { get; } = restoredCreated;

        public string? RestoredHash { get; } = restoredHash;

        public List<LocalRevision> Revisions { get; } = [];

        public List<(LocalRevision Revision, int Percent, string? Tag)> Split { get; set; } = [];

        public string Hash { get; set; } = string.Empty;

        public string? LatestRolledOut { get; set; }

        public string? PreviousRolledOut { get; set; }

        public int NextNumber { get; set; }

        public AutoscalerSpec? Scaling { get; set; }

        public string? FailureReason { get; set; }

        public string? FailureMessage { get; set; }

        /// <summary>Ready: no failure and the latest revision had a ready replica.</summary>
        public bool Ready => FailureReason is null && Revisions.LastOrDefault() is { EverReady: true };

        public (string Reason, string Message) NotReadyReason()
        {
            var latest = Revisions.LastOrDefault();
            return (
                FailureReason ?? (latest is null ? "RevisionMissing" : "RevisionNotReady"),
                FailureMessage ?? (latest is null ? "no revision has been created" : $"revision {latest.Name} has no ready replica yet"));
        }
    }
}
