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
/// Drives InferenceServices in the store to running processes. Each component (predictor, transformer) is a Knative
/// Configuration: each change of its runnable spec makes a new revision (<c>{isvc}-predictor-00001</c>, …) whose model
/// is fetched in the background (<see cref="ModelFetcher"/>) and whose replicas the supervisor runs under the
/// autoscaler; traffic follows KServe's Knative-mode canary rules (<see cref="KnativeTraffic"/>). The ingress routes
/// <c>{isvc}.{ns}.{domain}</c> (and <c>/serving/{ns}/{isvc}/</c>) to the transformer when there is one, else to the
/// predictor; the transformer reaches the predictor through the ingress. A revision that does not get ready is
/// diagnosed in the background (load error from the model server, crash loop with the log tail) and the reason
/// written to the status. Live revisions are recorded in the status so a restarted daemon brings them all back.
/// </summary>
public sealed class InferenceServiceReconciler : IAsyncDisposable
{
    private const string Predictor = "predictor";
    private const string Transformer = "transformer";
    private static readonly ResourceType IsvcType = ResourceTypeRegistry.KServe.FindByName("isvc")!;
    private static readonly ResourceType ServingRuntimeType = ResourceTypeRegistry.KServe.FindByName("sr")!;
    private static readonly ResourceType ClusterServingRuntimeType = ResourceTypeRegistry.KServe.FindByName("csr")!;
    private static readonly TimeSpan DiagnosisInterval = TimeSpan.FromSeconds(1);

    private readonly IResourceStore _store;
    private readonly ProcessSupervisor _supervisor;
    private readonly IngressRouter _router;
    private readonly RevisionAutoscaler _autoscaler;
    private readonly ModelFetcher _fetcher;
    private readonly ComponentLauncher _launcher;
    private readonly LocalPlatformOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
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
            Restore(ns, name, isvc, state, runtimes);
        }

        var tagged = isvc.GetAnnotation("serving.kserve.io/enable-tag-routing") == "true";
        var predictor = state.Component(Predictor);
        var predictorSpec = obj["spec"]?["predictor"] as JsonObject ?? new JsonObject();
        ReconcileComponent(ns, name, predictor, predictorSpec, _launcher.ForPredictor(isvc, runtimes), isvc.Spec.Predictor.CanaryTrafficPercent, tagged && isvc.Spec.Transformer is null);

        if (isvc.Spec.Transformer is not null && obj["spec"]?["transformer"] is JsonObject transformerSpec)
        {
            var launch = _launcher.ForTransformer(isvc, PredictorHost(ns, name));
            ReconcileComponent(ns, name, state.Component(Transformer), transformerSpec, launch, isvc.Spec.Transformer.CanaryTrafficPercent, tagged);
        }
        else if (state.Components.Remove(Transformer, out var removed))
        {
            await RemoveRevisionsAsync(ns, removed, removed.Revisions.ToList()).ConfigureAwait(false);
        }

        foreach (var component in state.Components.Values)
        {
            await RemoveUnusedRevisionsAsync(ns, component).ConfigureAwait(false);
        }

        UpdateRoutes(ns, name, state);
        var components = state.Components.Values.OrderBy(c => c.Component == Predictor ? 0 : 1).ToList();
        var status = InferenceServiceStatusBuilder.Build(
            isvc,
            components,
            state.Routes.Count > 0,
            n => Host(n, ns),
            $"http://127.0.0.1:{_options.IngressPort}/{IngressRouter.PathRoot}/{ns}/{name}",
            _time.GetUtcNow().UtcDateTime);
        await WriteStatusAsync(key, KubeJson.SerializeToNode(status), cancellationToken).ConfigureAwait(false);
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

            var revisionName = string.Create(CultureInfo.InvariantCulture, $"{name}-{component.Component}-{component.NextNumber:00000}");
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
        var revision = new LocalRevision(revisionName, hash, (JsonObject)spec.DeepClone(), launch, group, backend);
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
    private void Restore(string ns, string name, InferenceService isvc, ServiceState state, IRuntimeCatalog runtimes)
    {
        var status = isvc.Status;
        foreach (var (componentName, componentStatus) in status?.Components ?? new Dictionary<string, ComponentStatusSpec>())
        {
            var component = state.Component(componentName);
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
            if (entry["spec"] is not JsonObject spec || componentName is not (Predictor or Transformer) || revisionName is null || hash is null)
            {
                continue;
            }

            try
            {
                var copy = KubeJson.Clone(isvc);
                ComponentLaunch launch;
                if (componentName == Predictor)
                {
                    copy.Spec.Predictor = KubeJson.Deserialize<PredictorSpec>(spec);
                    launch = _launcher.ForPredictor(copy, runtimes);
                }
                else
                {
                    copy.Spec.Transformer = KubeJson.Deserialize<TransformerSpec>(spec);
                    launch = _launcher.ForTransformer(copy, PredictorHost(ns, name));
                }

                if (launch.Template is not null)
                {
                    CreateRevision(ns, name, state.Component(componentName), revisionName, hash, spec, launch);
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

    private void UpdateRoutes(string ns, string name, ServiceState state)
    {
        var routes = new List<IngressRoute>();
        var predictor = state.Components.GetValueOrDefault(Predictor);
        var transformer = state.Components.GetValueOrDefault(Transformer);
        var entry = transformer ?? predictor;

        static TrafficSplit? Serving(ComponentState? component)
        {
            var serving = component?.Split.Where(s => s.Percent > 0).ToList();
            return serving is { Count: > 0 } ? new TrafficSplit(serving.Select(s => new Ingress.TrafficTarget(s.Revision.Backend, s.Percent)).ToList()) : null;
        }

        if (Serving(entry) is { } top)
        {
            routes.Add(new IngressRoute(ns, name, [Host(name, ns)], [new IngressRule(null, top)]));
        }

        // Component hosts as KServe exposes them; the predictor also under its cluster-local names (what a transformer calls).
        if (Serving(predictor) is { } predictorSplit)
        {
            var component = $"{name}-{Predictor}";
            routes.Add(new IngressRoute(ns, component, [Host(component, ns), $"{component}.{ns}", $"{component}.{ns}.svc.cluster.local"], [new IngressRule(null, predictorSplit)]));
        }

        if (Serving(transformer) is { } transformerSplit)
        {
            var component = $"{name}-{Transformer}";
            routes.Add(new IngressRoute(ns, component, [Host(component, ns)], [new IngressRule(null, transformerSplit)]));
        }

        foreach (var (revision, _, tag) in entry?.Split.Where(s => s.Tag is not null) ?? [])
        {
            routes.Add(new IngressRoute(ns, $"{tag}-{name}", [Host($"{tag}-{name}", ns)], [new IngressRule(null, TrafficSplit.To(revision.Backend))]));
        }

        state.Routes = routes;
        _router.Update(_services.Values.SelectMany(s => s.Routes));
    }

    private async Task WriteStatusAsync(ResourceKey key, JsonNode statusNode, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (current is null || JsonNode.DeepEquals(current["status"], statusNode))
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

    private async Task TeardownAsync(string ns, string name, ServiceState state)
    {
        _services.Remove((ns, name));
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

        public ComponentState Component(string name)
        {
            if (!Components.TryGetValue(name, out var component))
            {
                component = new ComponentState(name);
                Components[name] = component;
            }

            return component;
        }
    }
}
