using k8s.Models;
using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Runtimes;

/// <summary>
/// Controller-time runtime defaults (control-plane.md §1.5, <c>SetRuntimeDefaults</c>), applied in memory to the predictor
/// after selection and never persisted: mlserver / torchserve / tritonserver specifics, then the runtime's lowest protocol.
/// </summary>
public static class RuntimeDefaults
{
    private static readonly Dictionary<string, string> BuiltInServerTypes = new(StringComparer.Ordinal)
    {
        ["kserve-mlserver"] = "mlserver",
        ["kserve-torchserve"] = "torchserve",
        ["kserve-tritonserver"] = "tritonserver",
    };

    /// <summary>The runtime's server type: annotation <c>serving.kserve.io/server-type</c>, else from the built-in name.</summary>
    public static string? ServerType(ServingRuntimeBase runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return runtime.GetAnnotation(KServeConstants.ServerTypeAnnotation)
            ?? (BuiltInServerTypes.TryGetValue(runtime.Name, out var type) ? type : null);
    }

    /// <summary>Applies the defaults to <paramref name="isvc"/> (its <c>model</c> must be set).</summary>
    public static void Apply(InferenceService isvc, ServingRuntimeBase runtime)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        ArgumentNullException.ThrowIfNull(runtime);
        var model = isvc.Spec.Predictor.Model ?? throw new ArgumentException("predictor has no model", nameof(isvc));
        switch (ServerType(runtime))
        {
            case "mlserver":
                model.ProtocolVersion ??= InferenceProtocolVersion.V2;
                if (model.StorageUri is null && model.Storage is null)
                {
                    AppendEnvIfMissing(model, "MLSERVER_LOAD_MODELS_AT_STARTUP", "false");
                }
                else
                {
                    AppendEnvIfMissing(model, "MLSERVER_MODEL_NAME", isvc.Name);
                    AppendEnvIfMissing(model, "MLSERVER_MODEL_URI", KServeConstants.DefaultModelLocalMountPath);
                }
                SetLabel(isvc, "modelClass", model.ModelFormat?.Name switch
                {
                    "xgboost" => "mlserver_xgboost.XGBoostModel",
                    "lightgbm" => "mlserver_lightgbm.LightGBMModel",
                    "mlflow" => "mlserver_mlflow.MLflowRuntime",
                    _ => "mlserver_sklearn.SKLearnModel",
                });
                break;
            case "torchserve":
                model.ProtocolVersion ??= InferenceProtocolVersion.V1;
                SetLabel(isvc, "serviceEnvelope",
                    model.ProtocolVersion is InferenceProtocolVersion.V2 or InferenceProtocolVersion.GrpcV2 ? "kservev2" : "kserve");
                model.Env ??= new List<V1EnvVar>();
                model.Env.Add(new V1EnvVar { Name = "PROTOCOL_VERSION", Value = model.ProtocolVersion });
                break;
            case "tritonserver":
                model.ProtocolVersion ??= InferenceProtocolVersion.V2;
                if (model.StorageUri is null && model.Storage is null)
                {
                    model.Args ??= new List<string>();
                    model.Args.Add("--model-control-mode=explicit");
                }
                break;
        }
        model.ProtocolVersion ??= RuntimeSelector.LowestProtocol(runtime.Spec);
    }

    private static void AppendEnvIfMissing(ModelSpec model, string name, string value)
    {
        model.Env ??= new List<V1EnvVar>();
        if (model.Env.All(e => e.Name != name))
        {
            model.Env.Add(new V1EnvVar { Name = name, Value = value });
        }
    }

    private static void SetLabel(InferenceService isvc, string key, string value)
    {
        isvc.Metadata.Labels ??= new Dictionary<string, string>();
        isvc.Metadata.Labels[key] = value;
    }
}
