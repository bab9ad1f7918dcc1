using System.Text.Json.Serialization;
using k8s.Models;

namespace ServeSharp.Control.Api.V1Beta1;

/// <summary>
/// <c>spec.predictor</c>: one of the legacy framework keys, <c>model</c>, or custom containers; plus the inline PodSpec and
/// ComponentExtensionSpec of <see cref="ComponentSpec"/>.
/// </summary>
public sealed record PredictorSpec : ComponentSpec
{
    /// <summary>Optional variant name (required in <c>spec.canary[]</c>).</summary>
    [JsonPropertyName("name")]
    [SchemaPattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    public string? Name { get; set; }

    /// <summary>Legacy scikit-learn key.</summary>
    [JsonPropertyName("sklearn")]
    public PredictorExtensionSpec? SKLearn { get; set; }

    /// <summary>Legacy XGBoost key.</summary>
    [JsonPropertyName("xgboost")]
    public PredictorExtensionSpec? XGBoost { get; set; }

    /// <summary>Legacy TensorFlow key.</summary>
    [JsonPropertyName("tensorflow")]
    public PredictorExtensionSpec? Tensorflow { get; set; }

    /// <summary>Legacy PyTorch key.</summary>
    [JsonPropertyName("pytorch")]
    public PredictorExtensionSpec? PyTorch { get; set; }

    /// <summary>Legacy Triton key.</summary>
    [JsonPropertyName("triton")]
    public PredictorExtensionSpec? Triton { get; set; }

    /// <summary>Legacy ONNX key.</summary>
    [JsonPropertyName("onnx")]
    public PredictorExtensionSpec? ONNX { get; set; }

    /// <summary>Legacy Hugging Face key.</summary>
    [JsonPropertyName("huggingface")]
    public PredictorExtensionSpec? HuggingFace { get; set; }

    /// <summary>Legacy PMML key.</summary>
    [JsonPropertyName("pmml")]
    public PredictorExtensionSpec? PMML { get; set; }

    /// <summary>Legacy LightGBM key.</summary>
    [JsonPropertyName("lightgbm")]
    public PredictorExtensionSpec? LightGBM { get; set; }

    /// <summary>Legacy Paddle key.</summary>
    [JsonPropertyName("paddle")]
    public PredictorExtensionSpec? Paddle { get; set; }

    /// <summary>Generic model spec (format + optional runtime).</summary>
    [JsonPropertyName("model")]
    public ModelSpec? Model { get; set; }

    /// <summary>Pins a ClusterStorageContainer by name.</summary>
    [JsonPropertyName("storageContainerName")]
    public string? StorageContainerName { get; set; }

    /// <summary>Multi-node worker pods.</summary>
    [JsonPropertyName("workerSpec")]
    public WorkerSpec? WorkerSpec { get; set; }

    /// <summary>The legacy framework keys with their JSON names, in KServe's struct field order.</summary>
    public IEnumerable<(string Key, PredictorExtensionSpec? Spec)> FrameworkKeys()
    {
        yield return ("sklearn", SKLearn);
        yield return ("xgboost", XGBoost);
        yield return ("tensorflow", Tensorflow);
        yield return ("pytorch", PyTorch);
        yield return ("triton", Triton);
        yield return ("onnx", ONNX);
        yield return ("huggingface", HuggingFace);
        yield return ("pmml", PMML);
        yield return ("lightgbm", LightGBM);
        yield return ("paddle", Paddle);
    }
}

/// <summary>Multi-node worker spec: a PodSpec plus parallelism sizes.</summary>
public sealed record WorkerSpec : V1PodSpec
{
    /// <summary>Pipeline-parallel size (≥1).</summary>
    [JsonPropertyName("pipelineParallelSize")]
    public int? PipelineParallelSize { get; set; }

    /// <summary>Tensor-parallel size (≥1).</summary>
    [JsonPropertyName("tensorParallelSize")]
    public int? TensorParallelSize { get; set; }
}
