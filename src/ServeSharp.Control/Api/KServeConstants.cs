namespace ServeSharp.Control.Api;

/// <summary>Annotation/label keys, container names and defaults from KServe's <c>pkg/constants</c>.</summary>
public static class KServeConstants
{
    /// <summary>Deployment mode annotation.</summary>
    public const string DeploymentModeAnnotation = "serving.kserve.io/deploymentMode";
    /// <summary>Autoscaler class annotation.</summary>
    public const string AutoscalerClassAnnotation = "serving.kserve.io/autoscalerClass";
    /// <summary>Knative autoscaler class annotation.</summary>
    public const string KnativeAutoscalerClassAnnotation = "autoscaling.knative.dev/class";
    /// <summary>Knative HPA class value.</summary>
    public const string KnativeHpaClass = "hpa.autoscaling.knative.dev";
    /// <summary>Annotation written by defaulting with the model format name.</summary>
    public const string ModelFormatAnnotation = "modelFormat";
    /// <summary>Runtime annotation naming the server type (drives runtime defaults).</summary>
    public const string ServerTypeAnnotation = "serving.kserve.io/server-type";
    /// <summary>Extra GPU resource names.</summary>
    public const string GpuResourceTypesAnnotation = "serving.kserve.io/gpu-resource-types";
    /// <summary>Disables local model cache.</summary>
    public const string DisableLocalModelAnnotation = "serving.kserve.io/disable-localmodel";
    /// <summary>Stop annotation.</summary>
    public const string StopAnnotation = "serving.kserve.io/stop";
    /// <summary>Visibility label (Standard).</summary>
    public const string NetworkVisibilityLabel = "networking.kserve.io/visibility";
    /// <summary>Visibility label (Knative).</summary>
    public const string KnativeVisibilityLabel = "networking.knative.dev/visibility";
    /// <summary>Label marking isvc-owned objects.</summary>
    public const string InferenceServiceLabel = "serving.kserve.io/inferenceservice";

    /// <summary>Name of the model server container.</summary>
    public const string InferenceServiceContainerName = "kserve-container";
    /// <summary>Name of a collocated transformer container.</summary>
    public const string TransformerContainerName = "transformer-container";
    /// <summary>Env var a custom container reads the model URI from.</summary>
    public const string StorageUriEnvVar = "STORAGE_URI";
    /// <summary>Default local mount path of model files.</summary>
    public const string DefaultModelLocalMountPath = "/mnt/models";
    /// <summary>Default minimum replicas.</summary>
    public const int DefaultMinReplicas = 1;
    /// <summary>Multi-node env names.</summary>
    public const string PipelineParallelSizeEnv = "PIPELINE_PARALLEL_SIZE";
    /// <summary>Multi-node env names.</summary>
    public const string TensorParallelSizeEnv = "TENSOR_PARALLEL_SIZE";
    /// <summary>The isvc name regex (<c>IsvcNameFmt</c>).</summary>
    public const string IsvcNameFormat = "[a-z]([-a-z0-9]*[a-z0-9])?";
}
