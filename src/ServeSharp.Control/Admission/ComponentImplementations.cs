using k8s.Models;
using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Admission;

/// <summary>What implements a component: a framework key, <c>model</c>, the ART explainer, or custom containers.</summary>
/// <param name="Key">JSON key (<c>sklearn</c>, <c>model</c>, <c>art</c>) or <c>custom</c>.</param>
/// <param name="Extension">The framework/model spec, when the implementation is one.</param>
public sealed record ComponentImplementation(string Key, PredictorExtensionSpec? Extension)
{
    /// <summary>True for custom containers.</summary>
    public bool IsCustom => Key == "custom";

    /// <summary>The implementation's storage URI (custom containers have none here).</summary>
    public string? StorageUri(ComponentSpec component) => Extension?.StorageUri ??
        (Key == "art" && component is ExplainerSpec { Art: { } art } ? art.StorageUri : null);
}

/// <summary><c>GetImplementations()</c> of KServe's components, in the same order.</summary>
public static class ComponentImplementations
{
    /// <summary>Predictor implementations (order: xgboost, pytorch, triton, sklearn, tensorflow, onnx, pmml, lightgbm, paddle, huggingface, model, custom).</summary>
    public static IReadOnlyList<ComponentImplementation> Of(PredictorSpec predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        var result = new List<ComponentImplementation>();
        void Add(string key, PredictorExtensionSpec? spec)
        {
            if (spec is not null)
            {
                result.Add(new ComponentImplementation(key, spec));
            }
        }
        Add("xgboost", predictor.XGBoost);
        Add("pytorch", predictor.PyTorch);
        Add("triton", predictor.Triton);
        Add("sklearn", predictor.SKLearn);
        Add("tensorflow", predictor.Tensorflow);
        Add("onnx", predictor.ONNX);
        Add("pmml", predictor.PMML);
        Add("lightgbm", predictor.LightGBM);
        Add("paddle", predictor.Paddle);
        Add("huggingface", predictor.HuggingFace);
        Add("model", predictor.Model);
        if (predictor.Containers is { Count: > 0 } containers)
        {
            foreach (var container in containers)
            {
                if (container.Name == KServeConstants.InferenceServiceContainerName)
                {
                    result.Add(new ComponentImplementation("custom", null));
                }
            }
            if (result.Count == 0)
            {
                result.Add(new ComponentImplementation("custom", null));
            }
        }
        return result;
    }

    /// <summary>Transformer implementations: custom when it has containers.</summary>
    public static IReadOnlyList<ComponentImplementation> Of(TransformerSpec transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return transformer.Containers is { Count: > 0 } ? [new ComponentImplementation("custom", null)] : [];
    }

    /// <summary>Explainer implementations: art, then custom when it has containers.</summary>
    public static IReadOnlyList<ComponentImplementation> Of(ExplainerSpec explainer)
    {
        ArgumentNullException.ThrowIfNull(explainer);
        var result = new List<ComponentImplementation>();
        if (explainer.Art is not null)
        {
            result.Add(new ComponentImplementation("art", null));
        }
        if (explainer.Containers is { Count: > 0 })
        {
            result.Add(new ComponentImplementation("custom", null));
        }
        return result;
    }

    /// <summary>Dispatches on the component type.</summary>
    public static IReadOnlyList<ComponentImplementation> Of(ComponentSpec component) => component switch
    {
        PredictorSpec p => Of(p),
        TransformerSpec t => Of(t),
        ExplainerSpec e => Of(e),
        _ => [],
    };

    /// <summary>
    /// <c>ExactlyOneErrorFor</c>: KServe lists the Go struct's fields except the last (the inline ComponentExtensionSpec).
    /// </summary>
    public static string ExactlyOneError(ComponentSpec component) => component switch
    {
        PredictorSpec => "exactly one of [SKLearn, XGBoost, Tensorflow, PyTorch, Triton, ONNX, HuggingFace, PMML, LightGBM, Paddle, Model, StorageUris, WorkerSpec, PodSpec] must be specified in PredictorSpec",
        TransformerSpec => "exactly one of [PodSpec] must be specified in TransformerSpec",
        ExplainerSpec => "exactly one of [ART, PodSpec] must be specified in ExplainerSpec",
        _ => "exactly one implementation must be specified",
    };

    /// <summary>The container that carries the predictor framework's settings (model or legacy key), or null.</summary>
    public static V1Container? FrameworkContainer(PredictorSpec predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        return (V1Container?)predictor.Model ?? predictor.FrameworkKeys().Select(k => k.Spec).FirstOrDefault(s => s is not null);
    }
}
