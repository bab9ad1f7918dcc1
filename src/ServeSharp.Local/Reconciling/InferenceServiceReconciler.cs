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
public sealed class InferenceServiceReconciler : IAsyncDisposable
{
    private const string HashAnnotation = "serving.servesharp.io/predictor-revision-hash";
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
            foreach (var revision in state.Revisions)
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
        var launch = _launcher.ForPredictor(isvc);
        string? failureReason = launch.Reason;
        string? failureMessage = launch.Error;
        var hash = Hash(obj);
        var latest = state.Revisions.LastOrDefault();
        if (launch.Template is not null && (latest is null || latest.Hash != hash))
        {
            if (state.NextNumber == 0)
            {
                var created = status.Components is { } components && components.TryGetValue("predictor", out var predictorStatus) ? predictorStatus.LatestCreatedRevision : null;
                state.NextNumber = RevisionNumber(created) + 1;
                if (status.Annotations is { } annotations && annotations.TryGetValue(HashAnnotation, out var previousHash) && previousHash == hash && created is not null)
                {
                    state.NextNumber--;
                }
            }

            var revisionName = string.Create(CultureInfo.InvariantCulture, $"{name}-predictor-{state.NextNumber:00000}");
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
                latest = new LocalRevision(revisionName, hash, group, backend);
                group.Changed += _ => Enqueue(ns, name);
                state.Revisions.Add(latest);
                state.NextNumber++;
                _autoscaler.Register(backend, group, launch.Autoscaling);
                ReconcilerLog.RevisionCreated(_logger, revisionName, $"{ns}/{name}");
            }
            catch (StorageException e)
            {
                failureReason = "ModelLoadFailed";
                failureMessage = $"fetching {launch.StorageUri} failed: {e.Message}";
            }
        }
        else if (latest is not null && launch.Template is not null && latest.Hash == hash && state.Scaling != launch.Autoscaling)
        {
            _autoscaler.Register(latest.Backend, latest.Group, launch.Autoscaling);
        }

        state.Scaling = launch.Autoscaling;
        if (failureReason is not null)
        {
            ReconcilerLog.NotReady(_logger, $"{ns}/{name}", failureReason, failureMessage!);
        }

        var split = Traffic(isvc, state, latest);
        await RemoveUnusedRevisionsAsync(state, split).ConfigureAwait(false);
        UpdateRoutes(ns, name, isvc, state, split);
        await WriteStatusAsync(key, isvc, state, split, hash, failureReason, failureMessage, cancellationToken).ConfigureAwait(false);
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
    private static List<(LocalRevision Revision, int Percent, string? Tag)> Traffic(InferenceService isvc, ServiceState state, LocalRevision? latest)
    {
        var split = new List<(LocalRevision, int, string?)>();
        if (latest is null)
        {
            return split;
        }

        latest.EverReady |= !latest.Group.Ready.IsEmpty;
        var rolled = state.Revisions.FirstOrDefault(r => r.Name == state.LatestRolledOut);
        var percent = isvc.Spec.Predictor.CanaryTrafficPercent;
        var tagged = isvc.GetAnnotation("serving.kserve.io/enable-tag-routing") == "true";
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

    private async Task RemoveUnusedRevisionsAsync(ServiceState state, List<(LocalRevision Revision, int Percent, string? Tag)> split)
    {
        var keep = split.Select(s => s.Revision).ToHashSet();
        if (state.Revisions.LastOrDefault() is { } latest)
        {
            keep.Add(latest);
        }

        foreach (var revision in state.Revisions.Where(r => !keep.Contains(r) && r.Name != state.LatestRolledOut).ToList())
        {
            state.Revisions.Remove(revision);
            _autoscaler.Unregister(revision.Backend.Name);
            await _supervisor.RemoveGroupAsync(revision.Group.Name).ConfigureAwait(false);
            ReconcilerLog.RevisionRemoved(_logger, revision.Name);
        }
    }

    private void UpdateRoutes(string ns, string name, InferenceService isvc, ServiceState state, List<(LocalRevision Revision, int Percent, string? Tag)> split)
    {
        var routes = new List<IngressRoute>();
        var serving = split.Where(s => s.Percent > 0).ToList();
        if (serving.Count > 0)
        {
            var traffic = new TrafficSplit(serving.Select(s => new Ingress.TrafficTarget(s.Revision.Backend, s.Percent)).ToList());
            routes.Add(new IngressRoute(ns, name, [Host(name, ns), Host($"{name}-predictor", ns)], [new IngressRule(null, traffic)]));
        }

        if (isvc.GetAnnotation("serving.kserve.io/enable-tag-routing") == "true")
        {
            foreach (var (revision, _, tag) in split.Where(s => s.Tag is not null))
            {
                routes.Add(new IngressRoute(ns, $"{tag}-{name}", [Host($"{tag}-{name}", ns)], [new IngressRule(null, TrafficSplit.To(revision.Backend))]));
            }
        }

        state.Routes = routes;
        _router.Update(_services.Values.SelectMany(s => s.Routes));
    }

    private async Task WriteStatusAsync(
        ResourceKey key,
        InferenceService isvc,
        ServiceState state,
        List<(LocalRevision Revision, int Percent, string? Tag)> split,
        string hash,
        string? failureReason,
        string? failureMessage,
        CancellationToken cancellationToken)
    {
        var old = isvc.Status ?? new InferenceServiceStatus();
        var latest = state.Revisions.LastOrDefault();
        var predictorReady = failureReason is null && latest is not null && latest.EverReady;
        var ingressReady = predictorReady && state.Routes.Count > 0;
        var now = _time.GetUtcNow().UtcDateTime;
        var readyReason = failureReason ?? (latest is null ? "RevisionMissing" : "RevisionNotReady");
        var readyMessage = failureMessage ?? (latest is null ? "no revision has been created" : $"revision {latest.Name} has no ready replica yet");
        var conditions = new List<Condition>
        {
            Condition(old, "PredictorReady", predictorReady, readyReason, readyMessage, now),
            Condition(old, "IngressReady", ingressReady, "Predictor ingress not created", null, now),
            Condition(old, "LatestDeploymentReady", predictorReady, "PredictorConfigurationReady not ready", null, now),
            Condition(old, "RoutesReady", ingressReady, "PredictorRouteReady not ready", null, now),
            Condition(old, "Ready", predictorReady && ingressReady, readyReason, readyMessage, now),
        };

        var host = Host(isvc.Name, key.Namespace);
        var address = $"http://127.0.0.1:{_options.IngressPort}/{IngressRouter.PathRoot}/{key.Namespace}/{isvc.Name}";
        var status = old with
        {
            ObservedGeneration = isvc.Metadata.Generation,
            Conditions = conditions,
            Url = predictorReady ? $"http://{host}" : null,
            Address = predictorReady ? new Addressable { Url = address } : null,
            DeploymentMode = "Knative",
            Annotations = new Dictionary<string, string> { [HashAnnotation] = hash },
            Components = latest is null ? null : new Dictionary<string, ComponentStatusSpec>
            {
                ["predictor"] = new()
                {
                    LatestCreatedRevision = latest.Name,
                    LatestReadyRevision = state.Revisions.LastOrDefault(r => r.EverReady)?.Name,
                    LatestRolledoutRevision = state.LatestRolledOut,
                    PreviousRolledoutRevision = state.PreviousRolledOut,
                    Url = predictorReady ? $"http://{Host($"{isvc.Name}-predictor", key.Namespace)}" : null,
                    Traffic = split.Where(s => s.Percent > 0 || s.Tag is not null).Select(s => new IsvcTraffic
                    {
                        RevisionName = s.Revision.Name,
                        LatestRevision = s.Revision == latest,
                        Percent = s.Percent,
                        Tag = s.Tag,
                        Url = s.Tag is null ? null : $"http://{Host($"{s.Tag}-{isvc.Name}", key.Namespace)}",
                    }).ToList(),
                },
            },
            ModelStatus = new ModelStatus
            {
                TransitionStatus = failureReason is not null ? "BlockedByFailedLoad" : predictorReady ? "UpToDate" : "InProgress",
                States = new ModelRevisionStates
                {
                    ActiveModelState = predictorReady ? "Loaded" : string.Empty,
                    TargetModelState = failureReason is not null ? "FailedToLoad" : predictorReady ? "Loaded" : "Loading",
                },
                LastFailureInfo = failureReason is null ? null : new FailureInfo { Reason = failureReason, Message = failureMessage },
                Copies = new ModelCopies { FailedCopies = 0, TotalCopies = latest?.Group.Ready.Length ?? 0 },
            },
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
        foreach (var revision in state.Revisions)
        {
            _autoscaler.Unregister(revision.Backend.Name);
            await _supervisor.RemoveGroupAsync(revision.Group.Name).ConfigureAwait(false);
            ReconcilerLog.RevisionRemoved(_logger, revision.Name);
        }
    }

    private string Host(string name, string ns) => $"{name}.{ns}.{_options.IngressDomain}";

    /// <summary>Hash of what makes a new revision: the predictor minus traffic and scaling fields.</summary>
    private static string Hash(JsonObject obj)
    {
        var predictor = obj["spec"]?["predictor"]?.DeepClone() as JsonObject ?? new JsonObject();
        foreach (var field in new[] { "canaryTrafficPercent", "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric" })
        {
            predictor.Remove(field);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(predictor.ToJsonString())))[..16];
    }

    private static int RevisionNumber(string? revision) =>
        revision is not null && revision.Length > 5
        && int.TryParse(revision[^5..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private sealed class ServiceState
    {
        public List<LocalRevision> Revisions { get; } = [];

        public List<IngressRoute> Routes { get; set; } = [];

        public string? LatestRolledOut { get; set; }

        public string? PreviousRolledOut { get; set; }

        public int NextNumber { get; set; }

        public AutoscalerSpec? Scaling { get; set; }
    }
}
