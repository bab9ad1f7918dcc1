using k8s.Models;
using ServeSharp.Control.Admission;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Runtimes;
using ServeSharp.Control.Serialization;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Reconciling;

/// <summary>
/// Turns an InferenceService component into a local process.
/// Predictor with <c>model</c>: a ServingRuntime/ClusterServingRuntime named by <c>model.runtime</c> or auto-selected
/// among the stored ones (KServe's selection rules) runs its <c>kserve-container</c> after KServe's merge and
/// <c>{{.Name}}</c>-style rendering, through <see cref="ContainerProcessMapper"/>; ServeSharp's own runtimes
/// (server type <c>servesharp</c>) and, when no stored runtime matches, the formats <c>servesharp serve</c> loads
/// run <c>servesharp serve</c> natively. A custom container (predictor <c>containers</c>, or a <c>model</c> with a
/// <c>command</c>) runs that command. The transformer runs its container with KServe's <c>--model_name</c>,
/// <c>--predictor_host</c> and <c>--http_port</c> arguments added when absent, and so does a custom explainer.
/// </summary>
public sealed class ComponentLauncher(LocalPlatformOptions options)
{
    /// <summary>Formats <c>servesharp serve</c> loads natively.</summary>
    public static readonly IReadOnlySet<string> BuiltInFormats = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "sklearn", "xgboost", "lightgbm", "onnx" };

    private const string ServeSharpServerType = "servesharp";

    // KServe's transformer flag for how to call the predictor: --protocol before 0.11, --predictor_protocol since.
    private static readonly string[] PredictorProtocolFlags = ["--protocol", "--predictor_protocol"];
    private readonly ContainerProcessMapper _mapper = new(options);

    /// <summary>The predictor of <paramref name="isvc"/>; <paramref name="stored"/> holds the runtimes in the store.</summary>
    public ComponentLaunch ForPredictor(InferenceService isvc, IRuntimeCatalog stored)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        ArgumentNullException.ThrowIfNull(stored);
        var predictor = isvc.Spec.Predictor;
        var scaling = Autoscaling(predictor);
        if (predictor.Model is { } model)
        {
            return model.Command is { Count: > 0 }
                ? Custom(model, model.StorageUri, scaling, "InvalidPredictorSpec")
                : ForModel(isvc, model, stored, scaling);
        }

        if (predictor.FrameworkKeys().FirstOrDefault(k => k.Spec is not null) is ({ } key, { } legacy))
        {
            // Admission turns framework keys into `model`; this only serves objects stored before it did.
            return legacy.Command is { Count: > 0 }
                ? Custom(legacy, legacy.StorageUri, scaling, "InvalidPredictorSpec")
                : Native(isvc.Name, key, legacy.StorageUri, scaling, null);
        }

        if (predictor.Containers?.FirstOrDefault() is { } container)
        {
            return Custom(container, StorageUriEnv(container), scaling, "InvalidPredictorSpec");
        }

        return new ComponentLaunch(null, null, scaling, "InvalidPredictorSpec", "spec.predictor: no model, framework key or container to run");
    }

    /// <summary>
    /// The transformer of <paramref name="isvc"/>; it reaches the predictor at <paramref name="predictorHost"/>
    /// (<c>host:port[/path]</c>, used by KServe transformers as <c>http://{predictor_host}/v1/models/{name}:predict</c>).
    /// </summary>
    public ComponentLaunch ForTransformer(InferenceService isvc, string predictorHost)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        var transformer = isvc.Spec.Transformer ?? throw new ArgumentException("The InferenceService has no transformer.", nameof(isvc));
        var scaling = Autoscaling(transformer);
        if (transformer.Containers?.FirstOrDefault() is not { } original)
        {
            return new ComponentLaunch(null, null, scaling, "InvalidTransformerSpec", "spec.transformer: no container to run");
        }

        return Custom(WithComponentArgs(original, isvc.Name, predictorHost), StorageUriEnv(original), scaling, "InvalidTransformerSpec");
    }

    /// <summary>
    /// The explainer of <paramref name="isvc"/>: a custom container with a command runs as a process and gets KServe's
    /// arguments (<c>--model_name</c>, <c>--predictor_host</c>, <c>--http_port</c>) unless given; the ART explainer
    /// image has no local mapping.
    /// </summary>
    public ComponentLaunch ForExplainer(InferenceService isvc, string predictorHost)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        var explainer = isvc.Spec.Explainer ?? throw new ArgumentException("The InferenceService has no explainer.", nameof(isvc));
        var scaling = Autoscaling(explainer);
        if (explainer.Art is not null)
        {
            return new ComponentLaunch(null, null, scaling, "InvalidExplainerSpec",
                $"the ART explainer image \"{explainer.Art.Image ?? "kserve/art-explainer"}\" has no local mapping: use spec.explainer.containers with a command to run an explainer process");
        }

        if (explainer.Containers?.FirstOrDefault() is not { } original)
        {
            return new ComponentLaunch(null, null, scaling, "InvalidExplainerSpec", "spec.explainer: no art explainer or container to run");
        }

        return Custom(WithComponentArgs(original, isvc.Name, predictorHost), StorageUriEnv(original), scaling, "InvalidExplainerSpec");
    }

    /// <summary>KServe scaling fields → KPA settings (minReplicas default 1; target/metric as Knative reads them).</summary>
    /// <remarks>
    /// <c>cpu</c> and <c>memory</c> are HPA's metrics: the target is a utilisation percent already, so no 70% headroom
    /// factor applies. Memory is measured against the component's memory request (<see cref="MemoryRequest"/>).
    /// </remarks>
    public static AutoscalerSpec Autoscaling(ComponentSpec component)
    {
        ArgumentNullException.ThrowIfNull(component);
        var metric = component.ScaleMetric?.ToLowerInvariant() switch
        {
            "rps" => ScaleMetric.Rps,
            "cpu" => ScaleMetric.Cpu,
            "memory" => ScaleMetric.Memory,
            _ => ScaleMetric.Concurrency,
        };
        var spec = new AutoscalerSpec
        {
            MinReplicas = component.MinReplicas ?? 1,
            MaxReplicas = component.MaxReplicas ?? 0,
            Target = component.ScaleTarget,
            Metric = metric,
            TargetUtilization = metric is ScaleMetric.Cpu or ScaleMetric.Memory ? 1.0 : 0.7,
        };
        return MemoryRequest(component) is { } request ? spec with { MemoryRequestBytes = request } : spec;
    }

    /// <summary>
    /// The memory one replica of <paramref name="component"/> requests, in bytes: <c>resources.requests.memory</c>
    /// (else <c>limits.memory</c>, which Kubernetes copies into an unset request) of the predictor's <c>model</c> or
    /// framework container, else of its first container; null when none is set (the runtime's default applies).
    /// </summary>
    public static long? MemoryRequest(ComponentSpec component)
    {
        ArgumentNullException.ThrowIfNull(component);
        IEnumerable<V1Container?> candidates = component is PredictorSpec predictor
            ? [.. ComponentImplementations.Of(predictor).Select(i => i.Extension), component.Containers?.FirstOrDefault()]
            : [component.Containers?.FirstOrDefault()];
        foreach (var container in candidates)
        {
            if (container?.Resources is not { } resources)
            {
                continue;
            }

            var quantity = resources.Requests?.TryGetValue("memory", out var request) == true ? request
                : resources.Limits?.TryGetValue("memory", out var limit) == true ? limit
                : null;
            if (quantity is not null)
            {
                var bytes = quantity.ToDecimal();
                return bytes >= 1 && bytes <= long.MaxValue ? (long)bytes : null;
            }
        }

        return null;
    }

    private ComponentLaunch ForModel(InferenceService isvc, ModelSpec model, IRuntimeCatalog stored, AutoscalerSpec scaling)
    {
        var format = model.ModelFormat?.Name;
        if (!string.IsNullOrEmpty(model.Runtime))
        {
            // Named runtime: the store first, then the runtimes a ServeSharp installation ships.
            var all = new RuntimeCatalog(BuiltInRuntimes.Default).With(stored.ServingRuntimes(isvc.Namespace).Cast<ServingRuntimeBase>().Concat(stored.ClusterServingRuntimes()));
            var named = RuntimeSelector.Select(isvc, all);
            return named.Runtime is { } runtime
                ? FromRuntime(isvc, model, runtime, scaling)
                : new ComponentLaunch(null, null, scaling, named.FailureReason, $"{named.Message} (runtime \"{model.Runtime}\")");
        }

        if (RuntimeSelector.Select(isvc, stored).Runtime is { } selected)
        {
            return FromRuntime(isvc, model, selected, scaling);
        }

        if (format is not null && BuiltInFormats.Contains(format))
        {
            return Native(isvc.Name, format, model.StorageUri, scaling, null);
        }

        // Nothing local: say whether KServe would have picked a runtime (an image we cannot run) or none at all.
        if (RuntimeSelector.Select(isvc, BuiltInRuntimes.DefaultCatalog()).Runtime is { } imageOnly)
        {
            var launch = FromRuntime(isvc, model, imageOnly, scaling);
            if (launch.Template is null)
            {
                return launch;
            }
        }

        return new ComponentLaunch(null, null, scaling, "NoSupportingRuntime",
            $"No runtime found to support specified framework/version: model format \"{format}\" (servesharp serve loads {string.Join(", ", BuiltInFormats.Order())}; "
            + "or apply a ServingRuntime whose container has a command, or give the predictor a command to run)");
    }

    private ComponentLaunch FromRuntime(InferenceService isvc, ModelSpec model, ServingRuntimeBase runtime, AutoscalerSpec scaling)
    {
        var reference = new RuntimeReference(runtime.Name, runtime.IsClusterScoped);
        if (RuntimeDefaults.ServerType(runtime) == ServeSharpServerType && model.ModelFormat?.Name is { } nativeFormat && BuiltInFormats.Contains(nativeFormat))
        {
            return Native(isvc.Name, nativeFormat, model.StorageUri, scaling, reference);
        }

        var (resolved, reason, message) = PredictorResolver.Resolve(isvc, runtime);
        if (resolved is null)
        {
            return new ComponentLaunch(null, null, scaling, reason, message) { Runtime = reference };
        }

        var (template, error) = _mapper.Map(resolved.Container);
        return template is null
            ? new ComponentLaunch(null, null, scaling, "InvalidPredictorSpec", $"{(runtime.IsClusterScoped ? "ClusterServingRuntime" : "ServingRuntime")} \"{runtime.Name}\": {error}") { Runtime = reference }
            : new ComponentLaunch(template, model.StorageUri, scaling) { ModelName = isvc.Name, Runtime = reference };
    }

    private ComponentLaunch Native(string modelName, string format, string? storageUri, AutoscalerSpec scaling, RuntimeReference? runtime)
    {
        if (string.IsNullOrWhiteSpace(storageUri))
        {
            return new ComponentLaunch(null, null, scaling, "InvalidPredictorSpec", "spec.predictor: storageUri is required for the built-in runtimes") { Runtime = runtime };
        }

        var serve = options.EffectiveModelServerCommand;
        if (serve.Count == 0)
        {
            throw new InvalidOperationException("LocalPlatformOptions.ServeCommand is not set.");
        }

        string[] args =
        [
            .. serve.Skip(1), "serve",
            "--model_name", modelName, "--model_dir", "$(MODEL_DIR)", "--model_format", format.ToLowerInvariant(),
            "--http_port", "$(PORT_HTTP)", "--grpc_port", "$(PORT_GRPC)", "--host", "127.0.0.1",
        ];
        var template = new ProcessTemplate(serve[0], args, new Dictionary<string, string>(), null, ["http", "grpc"], ReadinessProbe.Http("/v2/health/ready"), Handoff: true);
        return new ComponentLaunch(template, storageUri, scaling) { ModelName = modelName, Runtime = runtime };
    }

    private ComponentLaunch Custom(V1Container container, string? storageUri, AutoscalerSpec scaling, string reason)
    {
        var (template, error) = _mapper.Map(container);
        if (template is null)
        {
            return new ComponentLaunch(null, storageUri, scaling, reason, error);
        }

        if (storageUri is not null)
        {
            // KServe's storage initializer fills /mnt/models; containers that read STORAGE_URI get the local copy.
            var env = new Dictionary<string, string>(template.Environment, StringComparer.Ordinal) { ["STORAGE_URI"] = "$(MODEL_DIR)" };
            template = template with { Environment = env };
        }

        return new ComponentLaunch(template, storageUri, scaling);
    }

    /// <summary>
    /// Whether a transformer calls its predictor over gRPC: its container's command or arguments pass KServe's
    /// <c>--protocol</c> (before 0.11) or <c>--predictor_protocol</c> a gRPC value such as <c>grpc-v2</c>, as one argument
    /// (<c>--protocol=grpc-v2</c>) or two.
    /// </summary>
    public static bool CallsPredictorOverGrpc(TransformerSpec transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        if (transformer.Containers?.FirstOrDefault() is not { } container)
        {
            return false;
        }

        var words = (container.Command ?? []).Concat(container.Args ?? []).ToList();
        for (var i = 0; i < words.Count; i++)
        {
            foreach (var flag in PredictorProtocolFlags)
            {
                var value = words[i] == flag && i + 1 < words.Count ? words[i + 1]
                    : words[i].StartsWith(flag + "=", StringComparison.Ordinal) ? words[i][(flag.Length + 1)..]
                    : null;
                if (value is not null && value.StartsWith("grpc", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string? StorageUriEnv(V1Container container) =>
        container.Env?.FirstOrDefault(e => e.Name == "STORAGE_URI")?.Value;

    /// <summary>A copy with KServe's component arguments added unless the user passed them (transformer_custom.go); 8080 maps to the replica's port.</summary>
    private static V1Container WithComponentArgs(V1Container original, string modelName, string predictorHost)
    {
        var container = KubeJson.Deserialize<V1Container>(KubeJson.SerializeToNode(original));
        var args = container.Args?.ToList() ?? [];
        AddArgIfMissing(args, "--model_name", modelName);
        AddArgIfMissing(args, "--predictor_host", predictorHost);
        AddArgIfMissing(args, "--http_port", "8080");
        container.Args = args;
        return container;
    }

    private static void AddArgIfMissing(List<string> args, string name, string value)
    {
        if (!args.Any(a => a == name || a.StartsWith(name + "=", StringComparison.Ordinal)))
        {
            args.Add(name);
            args.Add(value);
        }
    }
}
