using System.Text.Json.Serialization;
using k8s.Models;

namespace ServeSharp.Control.Api.V1Alpha1;

/// <summary>The pod-level part of a runtime (KServe's <c>ServingRuntimePodSpec</c>).</summary>
public record ServingRuntimePodSpec
{
    /// <summary>Containers; the model server is named <c>kserve-container</c>.</summary>
    [JsonPropertyName("containers")]
    [SchemaRequired]
    public IList<V1Container>? Containers { get; set; }

    /// <summary>Volumes.</summary>
    [JsonPropertyName("volumes")]
    public IList<V1Volume>? Volumes { get; set; }

    /// <summary>Node selector.</summary>
    [JsonPropertyName("nodeSelector")]
    public IDictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Affinity.</summary>
    [JsonPropertyName("affinity")]
    public V1Affinity? Affinity { get; set; }

    /// <summary>Tolerations.</summary>
    [JsonPropertyName("tolerations")]
    public IList<V1Toleration>? Tolerations { get; set; }

    /// <summary>Labels put on generated objects.</summary>
    [JsonPropertyName("labels")]
    public IDictionary<string, string>? Labels { get; set; }

    /// <summary>Annotations put on generated objects.</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>Image pull secrets.</summary>
    [JsonPropertyName("imagePullSecrets")]
    public IList<V1LocalObjectReference>? ImagePullSecrets { get; set; }

    /// <summary>Host IPC (not carried over to the pod by KServe).</summary>
    [JsonPropertyName("hostIPC")]
    public bool? HostIPC { get; set; }

    /// <summary>Scheduler name.</summary>
    [JsonPropertyName("schedulerName")]
    public string? SchedulerName { get; set; }

    /// <summary>Dynamic resource claims.</summary>
    [JsonPropertyName("resourceClaims")]
    public IList<V1PodResourceClaim>? ResourceClaims { get; set; }
}

/// <summary><c>spec</c> of ServingRuntime and ClusterServingRuntime.</summary>
public sealed record ServingRuntimeSpec : ServingRuntimePodSpec
{
    /// <summary>Model formats this runtime serves.</summary>
    [JsonPropertyName("supportedModelFormats")]
    public IList<SupportedModelFormat>? SupportedModelFormats { get; set; }

    /// <summary>ModelMesh / multi-model runtime.</summary>
    [JsonPropertyName("multiModel")]
    public bool? MultiModel { get; set; }

    /// <summary>Disabled runtimes are never selected.</summary>
    [JsonPropertyName("disabled")]
    public bool? Disabled { get; set; }

    /// <summary>Supported protocols; empty means any.</summary>
    [JsonPropertyName("protocolVersions")]
    public IList<string>? ProtocolVersions { get; set; }

    /// <summary>Multi-node worker spec.</summary>
    [JsonPropertyName("workerSpec")]
    public ServingRuntimeWorkerSpec? WorkerSpec { get; set; }

    /// <summary>ModelMesh management endpoint.</summary>
    [JsonPropertyName("grpcEndpoint")]
    public string? GrpcEndpoint { get; set; }

    /// <summary>ModelMesh gRPC data endpoint.</summary>
    [JsonPropertyName("grpcDataEndpoint")]
    public string? GrpcDataEndpoint { get; set; }

    /// <summary>ModelMesh HTTP data endpoint.</summary>
    [JsonPropertyName("httpDataEndpoint")]
    public string? HttpDataEndpoint { get; set; }

    /// <summary>ModelMesh replicas.</summary>
    [JsonPropertyName("replicas")]
    public int? Replicas { get; set; }

    /// <summary>ModelMesh storage helper.</summary>
    [JsonPropertyName("storageHelper")]
    public StorageHelper? StorageHelper { get; set; }

    /// <summary>ModelMesh built-in adapter.</summary>
    [JsonPropertyName("builtInAdapter")]
    public BuiltInAdapter? BuiltInAdapter { get; set; }

    /// <summary>True when <c>disabled: true</c>.</summary>
    public bool IsDisabled() => Disabled == true;

    /// <summary>True when <c>multiModel: true</c>.</summary>
    public bool IsMultiModel() => MultiModel == true;

    /// <summary><c>IsProtocolVersionSupported</c>: an empty list accepts any protocol.</summary>
    public bool SupportsProtocol(string protocol) =>
        ProtocolVersions is not { Count: > 0 } || ProtocolVersions.Contains(protocol);

    /// <summary>The <c>kserve-container</c>, or null.</summary>
    public V1Container? FindModelServerContainer() =>
        Containers?.FirstOrDefault(c => c.Name == KServeConstants.InferenceServiceContainerName);
}

/// <summary>One supported model format of a runtime.</summary>
public sealed record SupportedModelFormat
{
    /// <summary>Format name (required).</summary>
    [JsonPropertyName("name")]
    [SchemaRequired]
    public string? Name { get; set; }

    /// <summary>Format version.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    /// <summary>Eligible for auto-selection.</summary>
    [JsonPropertyName("autoSelect")]
    public bool? AutoSelect { get; set; }

    /// <summary>Priority (≥1; only meaningful with autoSelect).</summary>
    [JsonPropertyName("priority")]
    [SchemaRange(1, int.MaxValue)]
    public int? Priority { get; set; }
}

/// <summary>Runtime multi-node worker spec.</summary>
public sealed record ServingRuntimeWorkerSpec : ServingRuntimePodSpec
{
    /// <summary>Pipeline-parallel size.</summary>
    [JsonPropertyName("pipelineParallelSize")]
    public int? PipelineParallelSize { get; set; }

    /// <summary>Tensor-parallel size.</summary>
    [JsonPropertyName("tensorParallelSize")]
    public int? TensorParallelSize { get; set; }
}

/// <summary>ModelMesh storage helper.</summary>
public sealed record StorageHelper
{
    /// <summary>Disabled.</summary>
    [JsonPropertyName("disabled")]
    public bool? Disabled { get; set; }
}

/// <summary>ModelMesh built-in adapter.</summary>
public sealed record BuiltInAdapter
{
    /// <summary>triton, mlserver or ovms.</summary>
    [JsonPropertyName("serverType")]
    [SchemaEnum("triton", "mlserver", "ovms", "torchserve")]
    public string? ServerType { get; set; }

    /// <summary>Runtime management port.</summary>
    [JsonPropertyName("runtimeManagementPort")]
    public int? RuntimeManagementPort { get; set; }

    /// <summary>Memory buffer bytes.</summary>
    [JsonPropertyName("memBufferBytes")]
    public int? MemBufferBytes { get; set; }

    /// <summary>Model loading timeout.</summary>
    [JsonPropertyName("modelLoadingTimeoutMillis")]
    public int? ModelLoadingTimeoutMillis { get; set; }

    /// <summary>Environment.</summary>
    [JsonPropertyName("env")]
    public IList<V1EnvVar>? Env { get; set; }
}
