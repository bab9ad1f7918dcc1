using k8s.Models;
using ServeSharp.Control.Admission;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Configuration;
using ServeSharp.Control.Runtimes;

namespace ServeSharp.Control.Tests.Runtimes;

public class PredictorResolverTests
{
    private static InferenceService Isvc(string predictor, string labels = "{}")
    {
        var isvc = TestManifests.Parse<InferenceService>($$"""
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: iris
              namespace: team
              labels: {{labels}}
              annotations: {note: "a<b & 'c'+d"}
            spec:
              predictor: {{predictor}}
            """);
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        return isvc;
    }

    private static ResolvedPredictor Resolve(InferenceService isvc, IRuntimeCatalog? catalog = null)
    {
        var selection = RuntimeSelector.Select(isvc, catalog ?? BuiltInRuntimes.DefaultCatalog());
        var (resolved, reason, message) = PredictorResolver.Resolve(isvc, selection.Runtime!);
        Assert.True(resolved is not null, $"{reason}: {message}");
        return resolved;
    }

    [Fact]
    public void ServeSharpSklearn_RendersKServeStyleArgs_AndAppendsUserArgs()
    {
        var r = Resolve(Isvc("{sklearn: {storageUri: 'gs://b/m', args: ['--workers=2'], env: [{name: A, value: '1'}], resources: {limits: {memory: 4Gi}}}}"));
        Assert.Equal("servesharp-sklearn", r.Runtime.Name);
        Assert.Equal(["servesharp", "serve"], r.Container.Command);
        Assert.Equal(["--model_name=iris", "--model_dir=/mnt/models", "--http_port=8080", "--workers=2"], r.Container.Args);
        Assert.Equal("4Gi", r.Container.Resources.Limits["memory"].ToString());
        Assert.Equal("1", r.Container.Resources.Limits["cpu"].ToString());
        Assert.Equal(["A", "INFERENCE_SERVICE_NAME"], r.Container.Env.Select(e => e.Name));
        Assert.Equal("kserve-container", r.Container.Name);
        Assert.Equal("v1", r.Protocol);
    }

    [Fact]
    public void MlServer_Defaults_V2_ModelClassLabel_Env()
    {
        var r = Resolve(Isvc("{xgboost: {storageUri: 'gs://b/m', protocolVersion: v2}}"));
        Assert.Equal("kserve-mlserver", r.Runtime.Name);
        Assert.Equal("mlserver_xgboost.XGBoostModel", r.Effective.Metadata.Labels["modelClass"]);
        var env = r.Container.Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("mlserver_xgboost.XGBoostModel", env["MLSERVER_MODEL_IMPLEMENTATION"]);
        Assert.Equal("iris", env["MLSERVER_MODEL_NAME"]);
        Assert.Equal("/mnt/models", env["MLSERVER_MODEL_URI"]);
    }

    [Fact]
    public void MlServer_NoStorage_LoadModelsAtStartupFalse()
    {
        var r = Resolve(Isvc("{model: {modelFormat: {name: sklearn}, runtime: kserve-mlserver}}"));
        Assert.Equal("v2", r.Protocol);
        Assert.Contains(r.Container.Env, e => e is { Name: "MLSERVER_LOAD_MODELS_AT_STARTUP", Value: "false" });
    }

    [Theory]
    [InlineData(null, "v1", "kserve")]
    [InlineData("v2", "v2", "kservev2")]
    [InlineData("grpc-v2", "grpc-v2", "kservev2")]
    public void TorchServe_ServiceEnvelope(string? protocol, string expectedProtocol, string envelope)
    {
        var p = protocol is null ? "" : $", protocolVersion: {protocol}";
        var r = Resolve(Isvc($"{{pytorch: {{storageUri: 'gs://b/m'{p}}}}}"));
        Assert.Equal(expectedProtocol, r.Protocol);
        Assert.Equal(envelope, r.Effective.Metadata.Labels["serviceEnvelope"]);
        Assert.Contains(r.Container.Env, e => e.Name == "TS_SERVICE_ENVELOPE" && e.Value == envelope);
        Assert.Contains(r.Container.Env, e => e.Name == "PROTOCOL_VERSION" && e.Value == expectedProtocol);
    }

    [Fact]
    public void Triton_NoStorage_ExplicitModelControl()
    {
        var r = Resolve(Isvc("{model: {modelFormat: {name: triton}}}"));
        Assert.Equal("kserve-tritonserver", r.Runtime.Name);
        Assert.Equal("--model-control-mode=explicit", r.Container.Args[^1]);
    }

    [Fact]
    public void ProtocolFilledFromLowestRuntimeProtocol()
    {
        var r = Resolve(Isvc("{model: {modelFormat: {name: huggingface}}}"));
        Assert.Equal("v1", r.Protocol);
        var vllm = Resolve(Isvc("{model: {modelFormat: {name: vLLM}}}"));
        Assert.Equal("v2", vllm.Protocol);
    }

    [Fact]
    public void RuntimeVersion_ReplacesTag_VllmCpu_GpuSuffix()
    {
        Assert.Equal("kserve/huggingfaceserver:v0.15", Resolve(Isvc("{huggingface: {storageUri: 'hf://x', runtimeVersion: v0.15}}")).Container.Image);
        Assert.Equal("vllm/vllm-openai-cpu:latest", Resolve(Isvc("{model: {modelFormat: {name: vLLM}}}")).Container.Image);
        Assert.Equal("vllm/vllm-openai:latest", Resolve(Isvc("{model: {modelFormat: {name: vLLM}, resources: {limits: {nvidia.com/gpu: '1'}}}}")).Container.Image);
        Assert.Equal("pytorch/torchserve-kfs:0.9.0-gpu", Resolve(Isvc("{pytorch: {storageUri: 'gs://x', resources: {limits: {nvidia.com/gpu: '1'}}}}")).Container.Image);
    }

    [Theory]
    [InlineData("img@sha256:abc", "9", null, "img@sha256:abc")]
    [InlineData("repo/img", "2", null, "repo/img:2")]
    [InlineData("localhost:5000/img:1", "2", null, "localhost:5000/img:2")]
    [InlineData("vllm/vllm-openai", null, "vllmserver", "vllm/vllm-openai-cpu")]
    public void ImageTag_Adjust(string image, string? version, string? serverType, string expected) =>
        Assert.Equal(expected, ImageTag.Adjust(image, version, serverType, null));

    [Fact]
    public void Template_LabelsAnnotations_HtmlEscaped_MissingKeyEmpty()
    {
        var meta = new V1ObjectMeta
        {
            Name = "iris",
            NamespaceProperty = "team",
            Labels = new Dictionary<string, string> { ["tier"] = "gold" },
            Annotations = new Dictionary<string, string> { ["note"] = "a<b & 'c'+d" },
        };
        Assert.Equal("iris/team/gold/a&lt;b &amp; &#39;c&#39;&#43;d/", TemplateRenderer.Render("{{.Name}}/{{ .Namespace }}/{{.Labels.tier}}/{{.Annotations.note}}/{{.Labels.missing}}", meta));
        Assert.Throws<TemplateRenderException>(() => TemplateRenderer.Render("{{.Spec}}", meta));
        Assert.Throws<TemplateRenderException>(() => TemplateRenderer.Render("{{ range .Labels }}x{{end}}", meta));
    }

    [Fact]
    public void BadTemplate_InvalidPredictorSpec()
    {
        var runtime = TestManifests.Parse<Api.V1Alpha1.ClusterServingRuntime>("""
            apiVersion: serving.kserve.io/v1alpha1
            kind: ClusterServingRuntime
            metadata: {name: broken}
            spec:
              supportedModelFormats: [{name: sklearn, autoSelect: true}]
              containers: [{name: kserve-container, image: i, args: ["{{.Bogus}}"]}]
            """);
        var (resolved, reason, message) = PredictorResolver.Resolve(Isvc("{model: {modelFormat: {name: sklearn}}}"), runtime);
        Assert.Null(resolved);
        Assert.Equal("InvalidPredictorSpec", reason);
        Assert.Equal("template: can't evaluate field Bogus in type v1.ObjectMeta", message);
    }

    [Fact]
    public void NoKserveContainer_InvalidPredictorSpec()
    {
        var runtime = TestManifests.Parse<Api.V1Alpha1.ClusterServingRuntime>("""
            apiVersion: serving.kserve.io/v1alpha1
            kind: ClusterServingRuntime
            metadata: {name: broken}
            spec:
              containers: [{name: server, image: i}]
            """);
        Assert.Equal("failed to find kserve-container in ServingRuntime containers",
            PredictorResolver.Resolve(Isvc("{model: {modelFormat: {name: sklearn}}}"), runtime).Message);
    }

    [Fact]
    public void ContainerMerge_EnvValueBeatsValueFrom_PortsByNumber_ResourcesByKey()
    {
        var baseContainer = new V1Container
        {
            Name = "kserve-container",
            Image = "base:1",
            Args = ["--a"],
            Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "s", Key = "k" } } }, new V1EnvVar { Name = "Y", Value = "y" }],
            Ports = [new V1ContainerPort { ContainerPort = 8080, Name = "http1" }],
            Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1"), ["memory"] = new("2Gi") } },
        };
        var overlay = new V1Container
        {
            Image = "over:2",
            Args = ["--b"],
            Env = [new V1EnvVar { Name = "X", Value = "plain" }, new V1EnvVar { Name = "Z", Value = "z" }],
            Ports = [new V1ContainerPort { ContainerPort = 8080, Name = "h2c" }, new V1ContainerPort { ContainerPort = 9000 }],
            Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("8Gi") } },
        };
        var merged = ContainerMerger.Merge(baseContainer, overlay);
        Assert.Equal("over:2", merged.Image);
        Assert.Equal("kserve-container", merged.Name);
        Assert.Equal(["--a", "--b"], merged.Args);
        Assert.Equal([("X", "plain"), ("Y", "y"), ("Z", "z")], merged.Env.Select(e => (e.Name, e.Value)));
        Assert.Null(merged.Env[0].ValueFrom);
        Assert.Equal([("h2c", 8080), ("", 9000)], merged.Ports.Select(p => (p.Name ?? "", p.ContainerPort)));
        Assert.Equal("1", merged.Resources.Limits["cpu"].ToString());
        Assert.Equal("8Gi", merged.Resources.Limits["memory"].ToString());
    }
}
