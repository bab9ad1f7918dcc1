using System.Text.Json.Serialization;

namespace ServeSharp.Control.Configuration;

/// <summary>
/// The <c>inferenceservice-config</c> ConfigMap: one section per data key, each a JSON document in the real ConfigMap.
/// <see cref="Default"/> holds KServe's shipped values; <see cref="InferenceServiceConfigLoader"/> reads overrides from a file.
/// </summary>
public sealed record InferenceServiceConfig
{
    /// <summary><c>deploy</c>.</summary>
    [JsonPropertyName("deploy")]
    public DeployConfig Deploy { get; init; } = new();

    /// <summary><c>ingress</c>.</summary>
    [JsonPropertyName("ingress")]
    public IngressConfig Ingress { get; init; } = new();

    /// <summary><c>storageInitializer</c>.</summary>
    [JsonPropertyName("storageInitializer")]
    public StorageInitializerConfig StorageInitializer { get; init; } = new();

    /// <summary><c>credentials</c>.</summary>
    [JsonPropertyName("credentials")]
    public CredentialsConfig Credentials { get; init; } = new();

    /// <summary><c>logger</c>.</summary>
    [JsonPropertyName("logger")]
    public LoggerConfig Logger { get; init; } = new();

    /// <summary><c>batcher</c>.</summary>
    [JsonPropertyName("batcher")]
    public BatcherConfig Batcher { get; init; } = new();

    /// <summary><c>agent</c>.</summary>
    [JsonPropertyName("agent")]
    public SidecarConfig Agent { get; init; } = new();

    /// <summary><c>router</c>.</summary>
    [JsonPropertyName("router")]
    public RouterConfig Router { get; init; } = new();

    /// <summary><c>explainers</c>.</summary>
    [JsonPropertyName("explainers")]
    public ExplainersConfig Explainers { get; init; } = new();

    /// <summary><c>inferenceService</c>.</summary>
    [JsonPropertyName("inferenceService")]
    public InferenceServiceSectionConfig InferenceService { get; init; } = new();

    /// <summary><c>metricsAggregator</c>.</summary>
    [JsonPropertyName("metricsAggregator")]
    public MetricsAggregatorConfig MetricsAggregator { get; init; } = new();

    /// <summary><c>security</c>.</summary>
    [JsonPropertyName("security")]
    public SecurityConfig Security { get; init; } = new();

    /// <summary><c>service</c>.</summary>
    [JsonPropertyName("service")]
    public ServiceConfig Service { get; init; } = new();

    /// <summary><c>multiNode</c>.</summary>
    [JsonPropertyName("multiNode")]
    public MultiNodeConfig MultiNode { get; init; } = new();

    /// <summary><c>autoscaler</c>.</summary>
    [JsonPropertyName("autoscaler")]
    public AutoscalerConfig Autoscaler { get; init; } = new();

    /// <summary>KServe's shipped configuration (<c>config/configmap/inferenceservice.yaml</c>).</summary>
    public static InferenceServiceConfig Default { get; } = new();
}

/// <summary><c>deploy</c> section.</summary>
public sealed record DeployConfig
{
    /// <summary>Default mode; shipped "Serverless" (normalized to Knative).</summary>
    [JsonPropertyName("defaultDeploymentMode")]
    public string DefaultDeploymentMode { get; init; } = "Serverless";
}

/// <summary><c>ingress</c> section.</summary>
public sealed record IngressConfig
{
    /// <summary>Use Gateway API HTTPRoutes in Standard mode.</summary>
    [JsonPropertyName("enableGatewayApi")]
    public bool EnableGatewayApi { get; init; }

    /// <summary>Gateway-API gateway <c>namespace/name</c>.</summary>
    [JsonPropertyName("kserveIngressGateway")]
    public string KserveIngressGateway { get; init; } = "kserve/kserve-ingress-gateway";

    /// <summary>Knative external gateway.</summary>
    [JsonPropertyName("ingressGateway")]
    public string IngressGateway { get; init; } = "knative-serving/knative-ingress-gateway";

    /// <summary>Knative local gateway.</summary>
    [JsonPropertyName("localGateway")]
    public string LocalGateway { get; init; } = "knative-serving/knative-local-gateway";

    /// <summary>Local gateway service host.</summary>
    [JsonPropertyName("localGatewayService")]
    public string LocalGatewayService { get; init; } = "knative-local-gateway.istio-system.svc.cluster.local";

    /// <summary>Knative local gateway service (defaults to <see cref="LocalGatewayService"/>).</summary>
    [JsonPropertyName("knativeLocalGatewayService")]
    public string? KnativeLocalGatewayService { get; init; }

    /// <summary>Ingress domain.</summary>
    [JsonPropertyName("ingressDomain")]
    public string IngressDomain { get; init; } = "example.com";

    /// <summary>Ingress class.</summary>
    [JsonPropertyName("ingressClassName")]
    public string IngressClassName { get; init; } = "istio";

    /// <summary>Host template; variables Name, Namespace, IngressDomain, Annotations, Labels.</summary>
    [JsonPropertyName("domainTemplate")]
    public string DomainTemplate { get; init; } = "{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}";

    /// <summary>URL scheme.</summary>
    [JsonPropertyName("urlScheme")]
    public string UrlScheme { get; init; } = "http";

    /// <summary>Disable the Istio virtual host.</summary>
    [JsonPropertyName("disableIstioVirtualHost")]
    public bool DisableIstioVirtualHost { get; init; }

    /// <summary>Disable ingress creation.</summary>
    [JsonPropertyName("disableIngressCreation")]
    public bool DisableIngressCreation { get; init; }

    /// <summary>Disable HTTPRoute timeouts.</summary>
    [JsonPropertyName("disableHTTPRouteTimeout")]
    public bool DisableHttpRouteTimeout { get; init; }

    /// <summary>Extra domains.</summary>
    [JsonPropertyName("additionalIngressDomains")]
    public IReadOnlyList<string>? AdditionalIngressDomains { get; init; }

    /// <summary>Path-based routing template, e.g. <c>/serving/{{ .Namespace }}/{{ .Name }}</c>.</summary>
    [JsonPropertyName("pathTemplate")]
    public string? PathTemplate { get; init; }
}

/// <summary>Image plus resources of an injected container.</summary>
public record SidecarConfig
{
    /// <summary>Image.</summary>
    [JsonPropertyName("image")]
    public string Image { get; init; } = "kserve/agent:latest";

    /// <summary>Memory request.</summary>
    [JsonPropertyName("memoryRequest")]
    public string MemoryRequest { get; init; } = "100Mi";

    /// <summary>Memory limit.</summary>
    [JsonPropertyName("memoryLimit")]
    public string MemoryLimit { get; init; } = "1Gi";

    /// <summary>CPU request.</summary>
    [JsonPropertyName("cpuRequest")]
    public string CpuRequest { get; init; } = "100m";

    /// <summary>CPU limit.</summary>
    [JsonPropertyName("cpuLimit")]
    public string CpuLimit { get; init; } = "1";
}

/// <summary><c>storageInitializer</c> section.</summary>
public sealed record StorageInitializerConfig : SidecarConfig
{
    /// <summary>Creates the shipped defaults.</summary>
    public StorageInitializerConfig() => Image = "kserve/storage-initializer:latest";

    /// <summary>CA bundle ConfigMap.</summary>
    [JsonPropertyName("caBundleConfigMapName")]
    public string CaBundleConfigMapName { get; init; } = "";

    /// <summary>CA bundle mount path.</summary>
    [JsonPropertyName("caBundleVolumeMountPath")]
    public string CaBundleVolumeMountPath { get; init; } = "/etc/ssl/custom-certs";

    /// <summary>Modelcar for OCI.</summary>
    [JsonPropertyName("enableModelcar")]
    public bool EnableModelcar { get; init; } = true;

    /// <summary>Modelcar CPU.</summary>
    [JsonPropertyName("cpuModelcar")]
    public string CpuModelcar { get; init; } = "10m";

    /// <summary>Modelcar memory.</summary>
    [JsonPropertyName("memoryModelcar")]
    public string MemoryModelcar { get; init; } = "15Mi";

    /// <summary>Modelcar UID.</summary>
    [JsonPropertyName("uidModelcar")]
    public long? UidModelcar { get; init; } = 1010;
}

/// <summary><c>credentials</c> section.</summary>
public sealed record CredentialsConfig
{
    /// <summary>Secret for <c>storage:</c> specs.</summary>
    [JsonPropertyName("storageSpecSecretName")]
    public string StorageSpecSecretName { get; init; } = "storage-config";

    /// <summary>Annotation naming a storage secret.</summary>
    [JsonPropertyName("storageSecretNameAnnotation")]
    public string StorageSecretNameAnnotation { get; init; } = "serving.kserve.io/storageSecretName";
}

/// <summary><c>logger</c> section.</summary>
public sealed record LoggerConfig : SidecarConfig
{
    /// <summary>Default sink.</summary>
    [JsonPropertyName("defaultUrl")]
    public string DefaultUrl { get; init; } = "http://default-broker";
}

/// <summary><c>batcher</c> section.</summary>
public sealed record BatcherConfig : SidecarConfig
{
    /// <summary>Creates the shipped defaults.</summary>
    public BatcherConfig()
    {
        MemoryRequest = "1Gi";
        CpuRequest = "1";
    }

    /// <summary>Default max batch size.</summary>
    [JsonPropertyName("maxBatchSize")]
    public string MaxBatchSize { get; init; } = "32";

    /// <summary>Default max latency (ms).</summary>
    [JsonPropertyName("maxLatency")]
    public string MaxLatency { get; init; } = "5000";
}

/// <summary><c>router</c> section.</summary>
public sealed record RouterConfig : SidecarConfig
{
    /// <summary>Creates the shipped defaults.</summary>
    public RouterConfig() => Image = "kserve/router:latest";

    /// <summary>Image pull policy.</summary>
    [JsonPropertyName("imagePullPolicy")]
    public string ImagePullPolicy { get; init; } = "IfNotPresent";
}

/// <summary><c>explainers</c> section.</summary>
public sealed record ExplainersConfig
{
    /// <summary>ART explainer.</summary>
    [JsonPropertyName("art")]
    public ExplainerImageConfig Art { get; init; } = new();
}

/// <summary>An explainer image.</summary>
public sealed record ExplainerImageConfig
{
    /// <summary>Image.</summary>
    [JsonPropertyName("image")]
    public string Image { get; init; } = "kserve/art-explainer";

    /// <summary>Default tag.</summary>
    [JsonPropertyName("defaultImageVersion")]
    public string DefaultImageVersion { get; init; } = "latest";
}

/// <summary><c>inferenceService</c> section.</summary>
public sealed record InferenceServiceSectionConfig
{
    /// <summary>Default resources of custom containers.</summary>
    [JsonPropertyName("resource")]
    public ResourceDefaults Resource { get; init; } = new();

    /// <summary>Annotations never propagated to revisions (added to the built-ins).</summary>
    [JsonPropertyName("serviceAnnotationDisallowedList")]
    public IReadOnlyList<string>? ServiceAnnotationDisallowedList { get; init; }

    /// <summary>Labels never propagated (added to the built-ins).</summary>
    [JsonPropertyName("serviceLabelDisallowedList")]
    public IReadOnlyList<string>? ServiceLabelDisallowedList { get; init; }
}

/// <summary>Default resources.</summary>
public sealed record ResourceDefaults
{
    /// <summary>CPU limit.</summary>
    [JsonPropertyName("cpuLimit")]
    public string CpuLimit { get; init; } = "1";

    /// <summary>Memory limit.</summary>
    [JsonPropertyName("memoryLimit")]
    public string MemoryLimit { get; init; } = "2Gi";

    /// <summary>CPU request.</summary>
    [JsonPropertyName("cpuRequest")]
    public string CpuRequest { get; init; } = "1";

    /// <summary>Memory request.</summary>
    [JsonPropertyName("memoryRequest")]
    public string MemoryRequest { get; init; } = "2Gi";
}

/// <summary><c>metricsAggregator</c> section.</summary>
public sealed record MetricsAggregatorConfig
{
    /// <summary>Aggregation.</summary>
    [JsonPropertyName("enableMetricAggregation")]
    public string EnableMetricAggregation { get; init; } = "false";

    /// <summary>Prometheus scraping.</summary>
    [JsonPropertyName("enablePrometheusScraping")]
    public string EnablePrometheusScraping { get; init; } = "false";
}

/// <summary><c>security</c> section.</summary>
public sealed record SecurityConfig
{
    /// <summary>Automount the service account token.</summary>
    [JsonPropertyName("autoMountServiceAccountToken")]
    public bool AutoMountServiceAccountToken { get; init; } = true;
}

/// <summary><c>service</c> section.</summary>
public sealed record ServiceConfig
{
    /// <summary>Headless services.</summary>
    [JsonPropertyName("serviceClusterIPNone")]
    public bool ServiceClusterIPNone { get; init; }
}

/// <summary><c>multiNode</c> section.</summary>
public sealed record MultiNodeConfig
{
    /// <summary>Extra GPU resource names.</summary>
    [JsonPropertyName("customGPUResourceTypeList")]
    public IReadOnlyList<string>? CustomGpuResourceTypeList { get; init; }
}

/// <summary><c>autoscaler</c> section.</summary>
public sealed record AutoscalerConfig
{
    /// <summary>KEDA scale-up window.</summary>
    [JsonPropertyName("scaleUpStabilizationWindowSeconds")]
    public string ScaleUpStabilizationWindowSeconds { get; init; } = "0";

    /// <summary>KEDA scale-down window.</summary>
    [JsonPropertyName("scaleDownStabilizationWindowSeconds")]
    public string ScaleDownStabilizationWindowSeconds { get; init; } = "300";
}
