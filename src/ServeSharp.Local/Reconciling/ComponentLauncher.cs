using k8s.Models;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Reconciling;

/// <summary>
/// Turns an InferenceService component into a local process: model formats the built-in runtimes serve run
/// <c>servesharp serve</c> on the fetched model; a container with <c>command</c> runs that command (its args and env
/// kept; <c>$(PORT)</c>, <c>$(PORT_HTTP)</c>, <c>$(PORT_GRPC)</c> and <c>$(MODEL_DIR)</c> expand, and <c>STORAGE_URI</c>
/// points at the local model); an image with no command cannot run locally and says so.
/// </summary>
public sealed class ComponentLauncher(LocalPlatformOptions options)
{
    /// <summary>Formats <c>servesharp serve</c> loads natively.</summary>
    public static readonly IReadOnlySet<string> BuiltInFormats = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "sklearn", "xgboost", "lightgbm", "onnx" };

    /// <summary>The predictor of <paramref name="isvc"/>.</summary>
    public ComponentLaunch ForPredictor(InferenceService isvc)
    {
        var predictor = isvc.Spec.Predictor;
        var scaling = Autoscaling(predictor);
        var (format, extension) = predictor.Model is { } model
            ? (model.ModelFormat?.Name, (PredictorExtensionSpec?)model)
            : predictor.FrameworkKeys().Where(k => k.Spec is not null).Select(k => ((string?)k.Key, k.Spec)).FirstOrDefault();
        if (extension is not null)
        {
            if (extension.Command is { Count: > 0 })
            {
                return Custom(extension, extension.StorageUri, scaling);
            }

            if (predictor.Model?.Runtime is { } runtime)
            {
                return new ComponentLaunch(null, null, scaling, "RuntimeNotRecognized",
                    $"ServingRuntime \"{runtime}\" is not supported by the local platform yet; remove spec.predictor.model.runtime to use the built-in {string.Join("/", BuiltInFormats)} runtime");
            }

            if (format is null || !BuiltInFormats.Contains(format))
            {
                return new ComponentLaunch(null, null, scaling, "NoSupportingRuntime",
                    $"No runtime found to support specified framework/version: model format \"{format}\" (built in: {string.Join(", ", BuiltInFormats.Order())}; or give the predictor a command to run)");
            }

            if (string.IsNullOrWhiteSpace(extension.StorageUri))
            {
                return new ComponentLaunch(null, null, scaling, "InvalidPredictorSpec", "spec.predictor: storageUri is required for the built-in runtimes");
            }

            return new ComponentLaunch(Serve(isvc.Name, format), extension.StorageUri, scaling);
        }

        if (predictor.Containers?.FirstOrDefault() is { } container)
        {
            return Custom(container, container.Env?.FirstOrDefault(e => e.Name == "STORAGE_URI")?.Value, scaling);
        }

        return new ComponentLaunch(null, null, scaling, "InvalidPredictorSpec", "spec.predictor: no model, framework key or container to run");
    }

    /// <summary>
    /// The explainer of <paramref name="isvc"/>: a custom container with a command runs as a process and gets KServe's
    /// arguments (<c>--model_name</c> and <c>--predictor_host</c> unless given, then <c>--http_port</c>); the ART
    /// explainer image has no local mapping.
    /// </summary>
    public static ComponentLaunch ForExplainer(InferenceService isvc, string predictorHost)
    {
        var explainer = isvc.Spec.Explainer ?? throw new ArgumentException("The InferenceService has no explainer.", nameof(isvc));
        var scaling = Autoscaling(explainer);
        if (explainer.Art is not null)
        {
            return new ComponentLaunch(null, null, scaling, "InvalidExplainerSpec",
                $"the ART explainer image \"{explainer.Art.Image ?? "kserve/art-explainer"}\" has no local mapping: use spec.explainer.containers with a command to run an explainer process");
        }

        if (explainer.Containers?.FirstOrDefault() is not { } container)
        {
            return new ComponentLaunch(null, null, scaling, "InvalidExplainerSpec", "spec.explainer: no art explainer or container to run");
        }

        var launch = Custom(container, container.Env?.FirstOrDefault(e => e.Name == "STORAGE_URI")?.Value, scaling, "InvalidExplainerSpec");
        if (launch.Template is not { } template)
        {
            return launch;
        }

        var args = template.Arguments.ToList();
        if (!args.Contains("--model_name"))
        {
            args.AddRange(["--model_name", isvc.Name]);
        }

        if (!args.Contains("--predictor_host"))
        {
            args.AddRange(["--predictor_host", predictorHost]);
        }

        args.AddRange(["--http_port", "$(PORT)"]);
        return launch with { Template = template with { Arguments = args } };
    }

    /// <summary>KServe scaling fields → KPA settings (minReplicas default 1; target/metric as Knative reads them).</summary>
    /// <remarks><c>cpu</c> is HPA's metric: the target is a utilisation percent already, so no 70% headroom factor applies.</remarks>
    public static AutoscalerSpec Autoscaling(ComponentSpec component)
    {
        var metric = component.ScaleMetric?.ToLowerInvariant() switch
        {
            "rps" => ScaleMetric.Rps,
            "cpu" => ScaleMetric.Cpu,
            _ => ScaleMetric.Concurrency,
        };
        return new AutoscalerSpec
        {
            MinReplicas = component.MinReplicas ?? 1,
            MaxReplicas = component.MaxReplicas ?? 0,
            Target = component.ScaleTarget,
            Metric = metric,
            TargetUtilization = metric == ScaleMetric.Cpu ? 1.0 : 0.7,
        };
    }

    private ProcessTemplate Serve(string modelName, string format)
    {
        if (options.ServeCommand.Count == 0)
        {
            throw new InvalidOperationException("LocalPlatformOptions.ServeCommand is not set.");
        }

        string[] args =
        [
            .. options.ServeCommand.Skip(1), "serve",
            "--model_name", modelName, "--model_dir", "$(MODEL_DIR)", "--model_format", format.ToLowerInvariant(),
            "--http_port", "$(PORT_HTTP)", "--grpc_port", "$(PORT_GRPC)", "--host", "127.0.0.1",
        ];
        return new ProcessTemplate(options.ServeCommand[0], args, new Dictionary<string, string>(), null, ["http", "grpc"], ReadinessProbe.Http("/v2/health/ready"));
    }

    private static ComponentLaunch Custom(V1Container container, string? storageUri, AutoscalerSpec scaling, string invalidReason = "InvalidPredictorSpec")
    {
        if (container.Command is not { Count: > 0 })
        {
            return new ComponentLaunch(null, storageUri, scaling, invalidReason,
                $"container image \"{container.Image}\" has no local mapping: set command (and args) to run it as a process; use $(PORT) for the port to listen on");
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container.Env ?? [])
        {
            if (variable.Name is not null && variable.Value is not null)
            {
                env[variable.Name] = variable.Value;
            }
        }

        if (storageUri is not null)
        {
            env["STORAGE_URI"] = "$(MODEL_DIR)";
        }

        var args = container.Command.Skip(1).Concat(container.Args ?? []).ToList();
        var template = new ProcessTemplate(container.Command[0], args, env, container.WorkingDir, ["http"], ReadinessProbe.Tcp);
        return new ComponentLaunch(template, storageUri, scaling);
    }
}
