using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Runtimes;
using ServeSharp.Control.Serialization;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Store;
using ServeSharp.Local.Supervision;
using ServeSharp.Storage;

namespace ServeSharp.Local.Reconciling;

/// <summary>
/// Drives InferenceServices in the store to running processes. Each component (predictor, transformer, explainer, and
/// each Standard-mode <c>spec.canary[]</c> predictor) is a Knative
/// Configuration: each change of its runnable spec makes a new revision (<c>{isvc}-predictor-00001</c>, …) whose model
/// is fetched in the background (<see cref="ModelFetcher"/>) and whose replicas the supervisor runs under the
/// autoscaler; traffic follows KServe's Knative-mode canary rules (<see cref="KnativeTraffic"/>). The ingress routes
/// <c>{isvc}.{ns}.{domain}</c> (and <c>/serving/{ns}/{isvc}/</c>) to the transformer when there is one, else to the
/// predictor, <c>:explain</c> to the explainer; transformer and explainer reach the predictor through the ingress. A revision that does not get ready is
/// diagnosed in the background (load error from the model server, crash loop with the log tail) and the reason
/// written to the status. Live revisions are recorded in the status so a restarted daemon brings them all back.
/// </summary>
public sealed partial class InferenceServiceReconciler : IAsyncDisposable
{
    private const string Predictor = "predictor";
    private const string Transformer = "transformer";
    private const string Explainer = "explainer";
    private static readonly ResourceType IsvcType = ResourceTypeRegistry.KServe.FindByName("isvc")!;
    private static readonly ResourceType ServingRuntimeType = ResourceTypeRegistry.KServe.FindByName("sr")!;
    private static readonly ResourceType ClusterServingRuntimeType = ResourceTypeRegistry.KServe.FindByName("csr")!;
    private static readonly TimeSpan DiagnosisInterval = TimeSpan.FromSeconds(1);

    private readonly IResourceStore _store;
    private readonly ProcessSupervisor _supervisor;
    private readonly IngressRouter _router;
    private readonly IServiceEndpointHost _endpoints;
    private readonly RevisionAutoscaler _autoscaler;
    private readonly ModelFetcher _fetcher;
    private readonly ComponentLauncher _launcher;
    private readonly LocalPlatformOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<(string Ns, string Name), ServiceState> _services = [];
    private readonly Dictionary<(string Ns, string Name), ServiceEndpoint> _predictorEndpoints = [];
    private readonly Channel<(string Ns, string Name)> _queue = Channel.CreateUnbounded<(string, string)>();

    /// <summary>Creates the reconciler; <see cref="RunAsync"/> runs it.</summary>
    public InferenceServiceReconciler(
        IResourceStore store,
        ProcessSupervisor supervisor,
        IngressRouter router,
        IServiceEndpointHost endpoints,
        RevisionAutoscaler autoscaler,
        ModelDownloader downloader,
        LocalPlatformOptions options,
        TimeProvider time,
        ILogger<InferenceServiceReconciler> logger)
    {
        _store = store;
        _supervisor = supervisor;
        _router = router;
        _endpoints = endpoints;
        _autoscaler = autoscaler;
        _fetcher = new ModelFetcher(downloader, options.ModelDirectory, time, logger);
        _launcher = new ComponentLauncher(options);
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Watches InferenceServices (and the runtimes they may use) and reconciles each change until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var watching = Task.Run(() => WatchAsync(cancellationToken), cancellationToken);
        var runtimes = Task.Run(() => WatchRuntimesAsync(cancellationToken), cancellationToken);
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
        await runtimes.ConfigureAwait(false);
    }

    /// <summary>Stops every revision's processes and background work.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var state in _services.Values)
        {
            foreach (var revision in state.Components.Values.SelectMany(c => c.Revisions))
            {
                _autoscaler.Unregister(revision.Backend.Name);
            }
        }

        _fetcher.Dispose();
        await _supervisor.DisposeAsync().ConfigureAwait(false);
        foreach (var endpoint in _predictorEndpoints.Values)
        {
            await endpoint.DisposeAsync().ConfigureAwait(false);
        }

        _predictorEndpoints.Clear();
        _stopping.Dispose();
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

    /// <summary>A runtime that appears, changes or goes may change what every InferenceService runs: requeue them all.</summary>
    private async Task WatchRuntimesAsync(CancellationToken cancellationToken)
    {
        async Task WatchTypeAsync(ResourceType type)
        {
            var list = await _store.ListAsync(type, null, cancellationToken).ConfigureAwait(false);
            await foreach (var _ in _store.WatchAsync(type, null, list.ResourceVersion, cancellationToken).ConfigureAwait(false))
            {
                foreach (var item in (await _store.ListAsync(IsvcType, null, cancellationToken).ConfigureAwait(false)).Items)
                {
                    Enqueue(ObjectMeta.Namespace(item)!, ObjectMeta.Name(item)!);
                }
            }
        }

        try
        {
            await Task.WhenAll(WatchTypeAsync(ServingRuntimeType), WatchTypeAsync(ClusterServingRuntimeType)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
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
        var runtimes = await StoredRuntimesAsync(cancellationToken).ConfigureAwait(false);
        if (!state.Restored)
        {
            state.Restored = true;
            await RestoreAsync(ns, name, isvc, state, runtimes, cancellationToken).ConfigureAwait(false);
        }

        var tagged = isvc.GetAnnotation("serving.kserve.io/enable-tag-routing") == "true";
        var wanted = new HashSet<string>(StringComparer.Ordinal) { Predictor };

        // Standard-mode canary predictors (spec.canary[]): each its own component, the stable spec with the override merged.
        var canaries = new List<CanaryComponent>();
        var stableMin = isvc.Spec.Predictor.MinReplicas;
        foreach (var (canary, index) in (isvc.Spec.Canary ?? []).Select((c, i) => (c, i)))
        {
            var canaryName = canary.Predictor.Name ?? $"canary-{index}";
            var componentKey = $"canary-{canaryName}";
            wanted.Add(componentKey);
            var component = state.Component(componentKey, $"{name}-{canaryName}-{Predictor}");
            var merged = CanaryPredictor(obj, index, canary.TrafficPercent ?? 0, stableMin ?? 1);
            var canaryIsvc = isvc with { Spec = isvc.Spec with { Predictor = KubeJson.Deserialize<PredictorSpec>(merged) } };
            ReconcileComponent(ns, name, component, merged, WithScalingAnnotations(_launcher.ForPredictor(canaryIsvc, runtimes), isvc), null, tagged: false);
            canaries.Add(new CanaryComponent(canaryName, component, canary.TrafficPercent ?? 0));
        }

        // KServe: an explicit stable minReplicas is reduced by the replicas of ready canaries (floor 1).
        var predictorLaunch = WithScalingAnnotations(_launcher.ForPredictor(isvc, runtimes), isvc);
        if (stableMin is { } min && canaries.Count > 0)
        {
            var canaryReplicas = canaries.Where(c => c.State.Ready).Sum(c => c.State.Scaling?.MinReplicas ?? 0);
            predictorLaunch = predictorLaunch with { Autoscaling = predictorLaunch.Autoscaling with { MinReplicas = Math.Max(1, min - canaryReplicas) } };
        }

        var predictorSpec = obj["spec"]?["predictor"] as JsonObject ?? new JsonObject();
        ReconcileComponent(ns, name, state.Component(Predictor, $"{name}-{Predictor}"), predictorSpec, predictorLaunch, isvc.Spec.Predictor.CanaryTrafficPercent, tagged && isvc.Spec.Transformer is null);

        if (isvc.Spec.Transformer is not null && obj["spec"]?["transformer"] is JsonObject transformerSpec)
        {
            wanted.Add(Transformer);
            var predictorHost = await PredictorHostAsync(ns, name, isvc.Spec.Transformer, cancellationToken).ConfigureAwait(false);
            var launch = WithScalingAnnotations(_launcher.ForTransformer(isvc, predictorHost), isvc);
            ReconcileComponent(ns, name, state.Component(Transformer, $"{name}-{Transformer}"), transformerSpec, launch, isvc.Spec.Transformer.CanaryTrafficPercent, tagged);
        }

        if (isvc.Spec.Explainer is not null && obj["spec"]?["explainer"] is JsonObject explainerSpec)
        {
            wanted.Add(Explainer);
            var launch = WithScalingAnnotations(_launcher.ForExplainer(isvc, PredictorHost(ns, name)), isvc);
            ReconcileComponent(ns, name, state.Component(Explainer, $"{name}-{Explainer}"), explainerSpec, launch, isvc.Spec.Explainer.CanaryTrafficPercent, tagged: false);
        }

        foreach (var gone in state.Components.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            state.Components.Remove(gone, out var removed);
            await RemoveRevisionsAsync(ns, removed!, removed!.Revisions.ToList()).ConfigureAwait(false);
        }

        foreach (var component in state.Components.Values)
        {
            await RemoveUnusedRevisionsAsync(ns, component).ConfigureAwait(false);
        }

        UpdateRoutes(ns, name, state, canaries);
        var components = new[] { Predictor, Transformer, Explainer }.Select(state.Components.GetValueOrDefault).OfType<ComponentState>().ToList();
        var status = InferenceServiceStatusBuilder.Build(
            isvc,
            components,
            canaries,
            state.Routes.Count > 0,
            n => Host(n, ns),
            $"http://127.0.0.1:{_options.IngressPort}/{IngressRouter.PathRoot}/{ns}/{name}",
            _time.GetUtcNow().UtcDateTime);
        await WriteStatusAsync(key, KubeJson.SerializeToNode(status), cancellationToken).ConfigureAwait(false);
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

    private void ReconcileComponent(string ns, string name, ComponentState component, JsonObject spec, ComponentLaunch launch, long? canaryPercent, bool tagged)
    {
        component.Runtime = launch.Runtime;
        component.FailureReason = launch.Reason;
        component.FailureMessage = launch.Error;
        component.FailureExitCode = null;
        var hash = Hash(spec);
        var latest = component.Latest;
        if (launch.Template is not null && (latest is null || latest.Hash != hash))
        {
            if (component.NextNumber == 0)
            {
                component.NextNumber = 1;
            }

            var revisionName = string.Create(CultureInfo.InvariantCulture, $"{component.RevisionPrefix}-{component.NextNumber:00000}");
            try
            {
                latest = CreateRevision(ns, name, component, revisionName, hash, spec, launch);
                ReconcilerLog.RevisionCreated(_logger, revisionName, $"{ns}/{name}");
            }
            catch (StorageException e)
            {
                component.FailureReason = "ModelLoadFailed";
                component.FailureMessage = $"storage URI {launch.StorageUri}: {e.Message}";
            }
        }
        else if (latest is not null && launch.Template is not null && latest.Hash == hash && latest.Started && component.Scaling != launch.Autoscaling)
        {
            _autoscaler.Register(latest.Backend, latest.Group, launch.Autoscaling);
        }

        component.Scaling = launch.Autoscaling;
        foreach (var revision in component.Revisions.Where(r => !r.Started))
        {
            StartWhenFetched(ns, name, revision, revision == latest ? launch.Autoscaling : revision.Launch.Autoscaling);
        }

        component.Split = KnativeTraffic.Compute(component, canaryPercent, tagged);
        if (component.FailureReason is null && latest is not null && !latest.EverReady)
        {
            if (latest.FetchError is { } fetchError)
            {
                component.FailureReason = "ModelLoadFailed";
                component.FailureMessage = fetchError;
            }
            else if (latest.Started)
            {
                if (latest.Diagnosis is { } diagnosis)
                {
                    component.FailureReason = diagnosis.Reason;
                    component.FailureMessage = diagnosis.Message;
                    component.FailureExitCode = diagnosis.ExitCode;
                }

                ScheduleDiagnosis(ns, name, latest);
            }
        }

        if (component.FailureReason is not null)
        {
            ReconcilerLog.NotReady(_logger, $"{ns}/{name}", component.FailureReason, component.FailureMessage ?? string.Empty);
        }
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

    private LocalRevision CreateRevision(string ns, string name, ComponentState component, string revisionName, string hash, JsonObject spec, ComponentLaunch launch)
    {
        var template = launch.Template!;
        var modelDir = launch.StorageUri is null ? null : _fetcher.Destination(ns, revisionName, launch.StorageUri);
        var env = new Dictionary<string, string>(template.Environment, StringComparer.Ordinal)
        {
            ["INFERENCE_SERVICE_NAME"] = name,
            ["MODEL_DIR"] = modelDir ?? string.Empty,
        };
        var group = _supervisor.GetOrCreateGroup($"{ns}.{revisionName}", template with { Environment = env });
        var backend = new RevisionBackend($"{ns}/{revisionName}", group, _time);
        var revision = new LocalRevision(revisionName, hash, (JsonObject)spec.DeepClone(), launch, group, backend)
        {
            // Knative counts a revision created at zero scale (initial-scale 0, min 0) ready: the activator starts it on demand.
            EverReady = launch.Autoscaling is { InitialScale: 0, MinReplicas: 0 },
        };
        group.Changed += _ => Enqueue(ns, name);
        component.Revisions.Add(revision);
        component.NextNumber = Math.Max(component.NextNumber, RevisionNumber(revisionName)) + 1;
        return revision;
    }

    /// <summary>Hands the revision to the autoscaler once its model is in place; the fetch runs in the background.</summary>
    private void StartWhenFetched(string ns, string name, LocalRevision revision, AutoscalerSpec scaling)
    {
        if (revision.Launch.StorageUri is { } uri)
        {
            var fetch = _fetcher.Fetch(ns, revision.Name, uri, () => Enqueue(ns, name));
            revision.FetchError = fetch.Error;
            if (fetch.Path is null)
            {
                return;
            }
        }

        revision.Started = true;
        revision.FetchError = null;
        _autoscaler.Register(revision.Backend, revision.Group, scaling);
    }

    /// <summary>Every second while the revision is not ready: look for the reason in the background, then reconcile again.</summary>
    private void ScheduleDiagnosis(string ns, string name, LocalRevision revision)
    {
        if (!revision.TryBeginDiagnosis())
        {
            return;
        }

        var token = _stopping.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(DiagnosisInterval, _time, token).ConfigureAwait(false);
                revision.Diagnosis = await RevisionDiagnosis.DiagnoseAsync(revision.Group, revision.Launch.ModelName, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                revision.EndDiagnosis();
            }

            Enqueue(ns, name);
        }, CancellationToken.None);
    }

    /// <summary>After a daemon restart: recreate the revisions recorded in the status, with their own specs.</summary>
    private async Task RestoreAsync(string ns, string name, InferenceService isvc, ServiceState state, IRuntimeCatalog runtimes, CancellationToken cancellationToken)
    {
        var status = isvc.Status;
        foreach (var (componentName, componentStatus) in status?.Components ?? new Dictionary<string, ComponentStatusSpec>())
        {
            if (componentName is not (Predictor or Transformer or Explainer))
            {
                continue;
            }

            var component = state.Component(componentName, $"{name}-{componentName}");
            component.LatestRolledOut = componentStatus.LatestRolledoutRevision;
            component.PreviousRolledOut = componentStatus.PreviousRolledoutRevision;
            component.NextNumber = RevisionNumber(componentStatus.LatestCreatedRevision) + 1;
        }

        if (status?.Annotations is null || !status.Annotations.TryGetValue(InferenceServiceStatusBuilder.RevisionsAnnotation, out var json))
        {
            return;
        }

        JsonArray? recorded;
        try
        {
            recorded = JsonNode.Parse(json) as JsonArray;
        }
        catch (JsonException)
        {
            recorded = null;
        }

        foreach (var entry in (recorded ?? []).OfType<JsonObject>())
        {
            var componentName = (string?)entry["component"];
            var revisionName = (string?)entry["name"];
            var hash = (string?)entry["hash"];
            if (entry["spec"] is not JsonObject spec || componentName is null || revisionName is null || hash is null || revisionName.Length <= 6)
            {
                continue;
            }

            try
            {
                var copy = KubeJson.Clone(isvc);
                ComponentLaunch launch;
                switch (componentName)
                {
                    case Transformer:
                        copy.Spec.Transformer = KubeJson.Deserialize<TransformerSpec>(spec);
                        launch = _launcher.ForTransformer(copy, await PredictorHostAsync(ns, name, copy.Spec.Transformer, cancellationToken).ConfigureAwait(false));
                        break;
                    case Explainer:
                        copy.Spec.Explainer = KubeJson.Deserialize<ExplainerSpec>(spec);
                        launch = _launcher.ForExplainer(copy, PredictorHost(ns, name));
                        break;
                    default:
                        // The predictor, or a canary predictor (its spec is the merged one).
                        copy.Spec.Predictor = KubeJson.Deserialize<PredictorSpec>(spec);
                        launch = _launcher.ForPredictor(copy, runtimes);
                        break;
                }

                launch = WithScalingAnnotations(launch, copy);
                if (launch.Template is not null)
                {
                    CreateRevision(ns, name, state.Component(componentName, revisionName[..^6]), revisionName, hash, spec, launch);
                    ReconcilerLog.RevisionRestored(_logger, revisionName, $"{ns}/{name}");
                }
            }
            catch (Exception e) when (e is JsonException or StorageException or ArgumentException)
            {
                ReconcilerLog.RestoreFailed(_logger, revisionName, e.Message);
            }
        }
    }

    private async Task<IRuntimeCatalog> StoredRuntimesAsync(CancellationToken cancellationToken)
    {
        var runtimes = new List<ServingRuntimeBase>();
        foreach (var (type, decode) in new (ResourceType, Func<JsonObject, ServingRuntimeBase>)[]
                 {
                     (ServingRuntimeType, o => KubeJson.Deserialize<ServingRuntime>(o)),
                     (ClusterServingRuntimeType, o => KubeJson.Deserialize<ClusterServingRuntime>(o)),
                 })
        {
            foreach (var item in (await _store.ListAsync(type, null, cancellationToken).ConfigureAwait(false)).Items)
            {
                try
                {
                    runtimes.Add(decode(item));
                }
                catch (JsonException)
                {
                    // A stored runtime that no longer decodes is skipped, as the admission hook does.
                }
            }
        }

        return new RuntimeCatalog(runtimes);
    }

    private async Task RemoveUnusedRevisionsAsync(string ns, ComponentState component)
    {
        var keep = component.Split.Select(s => s.Revision).ToHashSet();
        if (component.Latest is { } latest)
        {
            keep.Add(latest);
        }

        var unused = component.Revisions.Where(r => !keep.Contains(r) && r.Name != component.LatestRolledOut).ToList();
        await RemoveRevisionsAsync(ns, component, unused).ConfigureAwait(false);
    }

    private async Task RemoveRevisionsAsync(string ns, ComponentState component, List<LocalRevision> revisions)
    {
        foreach (var revision in revisions)
        {
            component.Revisions.Remove(revision);
            _autoscaler.Unregister(revision.Backend.Name);
            _fetcher.Forget(ns, revision.Name);
            await _supervisor.RemoveGroupAsync(revision.Group.Name).ConfigureAwait(false);
            ReconcilerLog.RevisionRemoved(_logger, revision.Name);
        }
    }

    /// <summary>
    /// The predictor's weighted targets: its own revisions, and with <c>spec.canary[]</c> each ready canary its percent
    /// and the stable predictor the rest (KServe's Standard-mode HTTPRoute weights).
    /// </summary>
    private static List<Ingress.TrafficTarget> PredictorTargets(ComponentState predictor, List<CanaryComponent> canaries)
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

    private static TrafficSplit? Serving(ComponentState? component)
    {
        var serving = component?.Split.Where(s => s.Percent > 0).ToList();
        return serving is { Count: > 0 } ? new TrafficSplit(serving.Select(s => new Ingress.TrafficTarget(s.Revision.Backend, s.Percent)).ToList()) : null;
    }

    private void UpdateRoutes(string ns, string name, ServiceState state, List<CanaryComponent> canaries)
    {
        var routes = new List<IngressRoute>();
        var predictor = state.Components.GetValueOrDefault(Predictor);
        var transformer = state.Components.GetValueOrDefault(Transformer);
        var explainer = state.Components.GetValueOrDefault(Explainer);
        var predictorTargets = predictor is null ? [] : PredictorTargets(predictor, canaries);
        var predictorSplit = predictorTargets.Count > 0 ? new TrafficSplit(predictorTargets) : null;
        var transformerSplit = Serving(transformer);
        var explainerSplit = Serving(explainer);

        // The service host (KServe's VirtualService): `:explain` to the explainer, the rest to the transformer or predictor.
        var rules = new List<IngressRule>();
        if (explainerSplit is not null)
        {
            rules.Add(new IngressRule(ExplainPath(), explainerSplit));
        }

        if ((transformer is null ? predictorSplit : transformerSplit) is { } entrySplit)
        {
            rules.Add(new IngressRule(null, entrySplit));
        }

        if (rules.Count > 0)
        {
            routes.Add(new IngressRoute(ns, name, [Host(name, ns)], rules, name));
        }

        // Component hosts as KServe exposes them; the predictor also under its cluster-local names (what a transformer calls).
        if (predictorSplit is not null)
        {
            var component = $"{name}-{Predictor}";
            routes.Add(new IngressRoute(ns, component, [Host(component, ns), $"{component}.{ns}", $"{component}.{ns}.svc.cluster.local"], [new IngressRule(null, predictorSplit)], name));
        }

        foreach (var (key, split) in new[] { (Transformer, transformerSplit), (Explainer, explainerSplit) })
        {
            if (split is not null)
            {
                var component = $"{name}-{key}";
                routes.Add(new IngressRoute(ns, component, [Host(component, ns)], [new IngressRule(null, split)], name));
            }
        }

        foreach (var (revision, _, tag) in (transformer ?? predictor)?.Split.Where(s => s.Tag is not null) ?? [])
        {
            routes.Add(new IngressRoute(ns, $"{tag}-{name}", [Host($"{tag}-{name}", ns)], [new IngressRule(null, TrafficSplit.To(revision.Backend))], name));
        }

        state.Routes = routes;
        _router.Update(_services.Values.SelectMany(s => s.Routes));
    }

    /// <summary>KServe's explain match, <c>^/v1/models/[\w-]+:explain$</c>.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^/v1/models/[\w-]+:explain$")]
    private static partial System.Text.RegularExpressions.Regex ExplainPath();

    private Task WriteStatusAsync(ResourceKey key, JsonNode statusNode, CancellationToken cancellationToken) =>
        _store.UpdateStatusAsync(key, current => JsonNode.DeepEquals(current["status"], statusNode) ? null : statusNode.DeepClone(), cancellationToken);

    private async Task TeardownAsync(string ns, string name, ServiceState state)
    {
        _services.Remove((ns, name));
        if (_predictorEndpoints.Remove((ns, name), out var endpoint))
        {
            await endpoint.DisposeAsync().ConfigureAwait(false);
        }

        _router.Update(_services.Values.SelectMany(s => s.Routes));
        foreach (var component in state.Components.Values)
        {
            await RemoveRevisionsAsync(ns, component, component.Revisions.ToList()).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// How a transformer reaches the predictor: through the ingress (traffic split, activator and autoscaling apply),
    /// by path because nothing resolves cluster host names here. KServe transformers build
    /// <c>http://{predictor_host}/v1/models/{name}:predict</c>, which this form keeps working.
    /// </summary>
    private string PredictorHost(string ns, string name) =>
        $"127.0.0.1:{_options.IngressPort}/{IngressRouter.PathRoot}/{ns}/{name}-{Predictor}";

    /// <summary>
    /// The predictor host a transformer gets: the path form of <see cref="PredictorHost"/> for one that calls the
    /// predictor over REST; for one that calls it over gRPC (<c>--protocol grpc-v2</c>), whose channel can only dial
    /// <c>host:port</c>, a loopback port of the ingress's own for the predictor's route (<see cref="ServiceEndpoint"/>),
    /// opened on first use and closed with the service.
    /// </summary>
    private async Task<string> PredictorHostAsync(string ns, string name, TransformerSpec? transformer, CancellationToken cancellationToken)
    {
        if (transformer is null || !ComponentLauncher.CallsPredictorOverGrpc(transformer))
        {
            return PredictorHost(ns, name);
        }

        if (!_predictorEndpoints.TryGetValue((ns, name), out var endpoint))
        {
            endpoint = await _endpoints.StartServiceEndpointAsync(ns, $"{name}-{Predictor}", cancellationToken).ConfigureAwait(false);
            _predictorEndpoints[(ns, name)] = endpoint;
        }

        return endpoint.Address;
    }

    private string Host(string name, string ns) => $"{name}.{ns}.{_options.IngressDomain}";

    /// <summary>Hash of what makes a new revision: the component minus traffic and scaling fields.</summary>
    private static string Hash(JsonObject component)
    {
        var copy = (JsonObject)component.DeepClone();
        foreach (var field in new[] { "canaryTrafficPercent", "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric" })
        {
            copy.Remove(field);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(copy.ToJsonString())))[..16];
    }

    private static int RevisionNumber(string? revision) =>
        revision is not null && revision.Length > 5
        && int.TryParse(revision[^5..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private sealed class ServiceState
    {
        public Dictionary<string, ComponentState> Components { get; } = new(StringComparer.Ordinal);

        public List<IngressRoute> Routes { get; set; } = [];

        /// <summary>True once revisions recorded by an earlier daemon were brought back.</summary>
        public bool Restored { get; set; }

        public ComponentState Component(string name, string revisionPrefix)
        {
            if (!Components.TryGetValue(name, out var component))
            {
                component = new ComponentState(name, revisionPrefix);
                Components[name] = component;
            }

            return component;
        }
    }
}
