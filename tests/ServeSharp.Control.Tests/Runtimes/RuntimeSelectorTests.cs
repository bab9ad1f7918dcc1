using ServeSharp.Control.Admission;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Configuration;
using ServeSharp.Control.Runtimes;

namespace ServeSharp.Control.Tests.Runtimes;

public class RuntimeSelectorTests
{
    private static InferenceService Isvc(string predictor, string ns = "default")
    {
        var isvc = TestManifests.Parse<InferenceService>($$"""
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: m, namespace: {{ns}}}
            spec:
              predictor: {{predictor}}
            """);
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        return isvc;
    }

    private static ServingRuntimeBase Runtime(string kind, string name, string formats, string protocols = "[v1, v2]", string extra = "", string ns = "default", string metadata = "")
    {
        var text = $$"""
            apiVersion: serving.kserve.io/v1alpha1
            kind: {{kind}}
            metadata:
              name: {{name}}
              namespace: {{ns}}
            {{metadata}}
            spec:
              supportedModelFormats: {{formats}}
              protocolVersions: {{protocols}}
              containers: [{name: kserve-container, image: "img/{{name}}:1"}]
            {{extra}}
            """;
        return kind == "ServingRuntime" ? TestManifests.Parse<ServingRuntime>(text) : TestManifests.Parse<ClusterServingRuntime>(text);
    }

    private static string? Pick(InferenceService isvc, params ServingRuntimeBase[] runtimes)
    {
        var selection = RuntimeSelector.Select(isvc, new RuntimeCatalog(runtimes));
        return selection.Runtime?.Name ?? $"{selection.FailureReason}: {selection.Message}";
    }

    // KServe's documented default picks against its own shipped runtimes (control-plane.md §3.4).
    [Theory]
    [InlineData("{sklearn: {storageUri: 'gs://b/m'}}", "kserve-sklearnserver")]
    [InlineData("{sklearn: {storageUri: 'gs://b/m', protocolVersion: v2}}", "kserve-mlserver")]
    [InlineData("{xgboost: {storageUri: 'gs://b/m'}}", "kserve-xgbserver")]
    [InlineData("{xgboost: {storageUri: 'gs://b/m', protocolVersion: v2}}", "kserve-mlserver")]
    [InlineData("{lightgbm: {storageUri: 'gs://b/m'}}", "kserve-lgbserver")]
    [InlineData("{lightgbm: {storageUri: 'gs://b/m', protocolVersion: v2}}", "kserve-mlserver")]
    [InlineData("{tensorflow: {storageUri: 'gs://b/m'}}", "kserve-tensorflow-serving")]
    [InlineData("{tensorflow: {storageUri: 'gs://b/m', protocolVersion: v2}}", "kserve-tritonserver")]
    [InlineData("{pytorch: {storageUri: 'gs://b/m'}}", "kserve-torchserve")]
    [InlineData("{pytorch: {storageUri: 'gs://b/m', protocolVersion: v2}}", "kserve-torchserve")]
    [InlineData("{onnx: {storageUri: 'gs://b/m'}}", "kserve-tritonserver")]
    [InlineData("{triton: {storageUri: 'gs://b/m'}}", "kserve-tritonserver")]
    [InlineData("{model: {modelFormat: {name: tensorrt}, protocolVersion: v2}}", "kserve-tritonserver")]
    [InlineData("{huggingface: {storageUri: 'hf://m'}}", "kserve-huggingfaceserver")]
    [InlineData("{model: {modelFormat: {name: huggingface}}}", "kserve-huggingfaceserver")]
    [InlineData("{model: {modelFormat: {name: vLLM}}}", "kserve-vllmserver")]
    [InlineData("{pmml: {storageUri: 'gs://b/m'}}", "kserve-pmmlserver")]
    [InlineData("{paddle: {storageUri: 'gs://b/m'}}", "kserve-paddleserver")]
    [InlineData("{model: {modelFormat: {name: autogluon}}}", "kserve-autogluonserver")]
    [InlineData("{model: {modelFormat: {name: mlflow}, protocolVersion: v2}}", "kserve-mlserver")]
    [InlineData("{model: {modelFormat: {name: onnx}}}", "NoSupportingRuntime: No runtime found to support specified framework/version")]
    [InlineData("{model: {modelFormat: {name: sklearn, version: '1'}}}", "kserve-sklearnserver")]
    [InlineData("{model: {modelFormat: {name: sklearn, version: '1.0'}}}", "NoSupportingRuntime: No runtime found to support specified framework/version")]
    [InlineData("{model: {modelFormat: {name: sklearn, version: '0'}, protocolVersion: v2}}", "kserve-mlserver")]
    [InlineData("{model: {modelFormat: {name: SKLearn}}}", "NoSupportingRuntime: No runtime found to support specified framework/version")]
    [InlineData("{model: {modelFormat: {name: tensorflow}, protocolVersion: grpc-v1}}", "kserve-tensorflow-serving")]
    [InlineData("{model: {modelFormat: {name: sklearn}, runtime: kserve-predictiveserver}}", "kserve-predictiveserver")]
    [InlineData("{model: {modelFormat: {name: pytorch}, runtime: kserve-tritonserver, protocolVersion: v2}}", "kserve-tritonserver")]
    [InlineData("{model: {modelFormat: {name: sklearn}, runtime: kserve-tritonserver}}", "NoSupportingRuntime: Specified runtime does not support specified framework/version")]
    [InlineData("{model: {modelFormat: {name: sklearn}, runtime: kserve-mlserver, protocolVersion: v1}}", "NoSupportingRuntime: Specified runtime does not support specified protocol version")]
    [InlineData("{model: {modelFormat: {name: sklearn}, runtime: missing}}", "RuntimeNotRecognized: Waiting for runtime to become available")]
    public void KServeShippedRuntimes_DefaultPicks(string predictor, string expected) =>
        Assert.Equal(expected, Pick(Isvc(predictor), [.. BuiltInRuntimes.KServe]));

    // ServeSharp's default installation: native runtimes copy the selection fields they replace.
    [Theory]
    [InlineData("{sklearn: {storageUri: 'gs://b/m'}}", "servesharp-sklearn")]
    [InlineData("{sklearn: {storageUri: 'gs://b/m', protocolVersion: v2}}", "kserve-mlserver")]
    [InlineData("{xgboost: {storageUri: 'gs://b/m'}}", "servesharp-xgboost")]
    [InlineData("{lightgbm: {storageUri: 'gs://b/m'}}", "servesharp-lightgbm")]
    [InlineData("{pmml: {storageUri: 'gs://b/m'}}", "servesharp-pmml")]
    [InlineData("{onnx: {storageUri: 'gs://b/m'}}", "servesharp-onnx")]
    [InlineData("{model: {modelFormat: {name: onnx}}}", "NoSupportingRuntime: No runtime found to support specified framework/version")]
    [InlineData("{tensorflow: {storageUri: 'gs://b/m', protocolVersion: v2}}", "kserve-tritonserver")]
    public void DefaultCatalog_Picks(string predictor, string expected) =>
        Assert.Equal(expected, Pick(Isvc(predictor), [.. BuiltInRuntimes.Default]));

    [Fact]
    public void NamespaceRuntime_BeatsClusterRuntime_RegardlessOfPriority()
    {
        var ns = Runtime("ServingRuntime", "ns-low", "[{name: sklearn, autoSelect: true, priority: 1}]");
        var cluster = Runtime("ClusterServingRuntime", "cluster-high", "[{name: sklearn, autoSelect: true, priority: 99}]");
        Assert.Equal("ns-low", Pick(Isvc("{model: {modelFormat: {name: sklearn}}}"), cluster, ns));
    }

    [Fact]
    public void NamespaceRuntime_OtherNamespace_NotVisible()
    {
        var other = Runtime("ServingRuntime", "elsewhere", "[{name: sklearn, autoSelect: true}]", ns: "team-b");
        var cluster = Runtime("ClusterServingRuntime", "cluster", "[{name: sklearn, autoSelect: true}]");
        Assert.Equal("cluster", Pick(Isvc("{model: {modelFormat: {name: sklearn}}}"), other, cluster));
    }

    [Fact]
    public void ExplicitRuntime_NamespaceFirstThenCluster()
    {
        var ns = Runtime("ServingRuntime", "same", "[{name: sklearn}]", metadata: "  labels: {where: ns}");
        var cluster = Runtime("ClusterServingRuntime", "same", "[{name: sklearn}]");
        var selection = RuntimeSelector.Select(Isvc("{model: {modelFormat: {name: sklearn}, runtime: same}}"), new RuntimeCatalog([cluster, ns]));
        Assert.False(selection.Runtime!.IsClusterScoped);
    }

    [Fact]
    public void ExplicitRuntime_IgnoresAutoSelectButChecksDisabled()
    {
        var manual = Runtime("ClusterServingRuntime", "manual", "[{name: sklearn, autoSelect: false}]");
        Assert.Equal("manual", Pick(Isvc("{model: {modelFormat: {name: sklearn}, runtime: manual}}"), manual));
        Assert.Equal("NoSupportingRuntime: No runtime found to support specified framework/version", Pick(Isvc("{model: {modelFormat: {name: sklearn}}}"), manual));
        var disabled = Runtime("ClusterServingRuntime", "turned-off", "[{name: sklearn, autoSelect: true}]", extra: "  disabled: true");
        Assert.Equal("RuntimeDisabled: Specified runtime is disabled", Pick(Isvc("{model: {modelFormat: {name: sklearn}, runtime: turned-off}}"), disabled));
    }

    [Fact]
    public void ExplicitRuntime_MultiModelNotChecked_Quirk()
    {
        var mm = Runtime("ClusterServingRuntime", "mm", "[{name: sklearn, autoSelect: true}]", extra: "  multiModel: true");
        Assert.Equal("mm", Pick(Isvc("{model: {modelFormat: {name: sklearn}, runtime: mm}}"), mm));
    }

    [Fact]
    public void AutoSelect_SkipsDisabledAndMultiModel()
    {
        var disabled = Runtime("ClusterServingRuntime", "a-disabled", "[{name: sklearn, autoSelect: true, priority: 9}]", extra: "  disabled: true");
        var mm = Runtime("ClusterServingRuntime", "b-multi", "[{name: sklearn, autoSelect: true, priority: 9}]", extra: "  multiModel: true");
        var plain = Runtime("ClusterServingRuntime", "c-plain", "[{name: sklearn, autoSelect: true, priority: 1}]");
        Assert.Equal("c-plain", Pick(Isvc("{model: {modelFormat: {name: sklearn}}}"), disabled, mm, plain));
    }

    [Fact]
    public void UnsetProtocolMeansV1_V2OnlyRuntimeNotChosen()
    {
        var v2 = Runtime("ClusterServingRuntime", "v2-only", "[{name: sklearn, autoSelect: true, priority: 5}]", "[v2]");
        Assert.Equal("NoSupportingRuntime: No runtime found to support specified framework/version", Pick(Isvc("{model: {modelFormat: {name: sklearn}}}"), v2));
        Assert.Equal("v2-only", Pick(Isvc("{model: {modelFormat: {name: sklearn}, protocolVersion: v2}}"), v2));
    }

    [Fact]
    public void RuntimeWithoutProtocols_AcceptsAny()
    {
        var any = Runtime("ClusterServingRuntime", "any", "[{name: sklearn, autoSelect: true}]", "[]");
        Assert.Equal("any", Pick(Isvc("{model: {modelFormat: {name: sklearn}, protocolVersion: grpc-v2}}"), any));
    }

    [Theory]
    [InlineData("'1'", "'1'", true)]
    [InlineData("'1'", "'1.0'", false)]
    [InlineData("'1.0'", "'1'", false)]
    [InlineData("'2'", null, true)]
    [InlineData(null, "'1'", false)]
    public void VersionMatching_IsExactString(string? runtimeVersion, string? modelVersion, bool matches)
    {
        var rv = runtimeVersion is null ? "" : $", version: {runtimeVersion}";
        var mv = modelVersion is null ? "" : $", version: {modelVersion}";
        var runtime = Runtime("ClusterServingRuntime", "r", $"[{{name: sklearn, autoSelect: true{rv}}}]");
        Assert.Equal(matches, Pick(Isvc($"{{model: {{modelFormat: {{name: sklearn{mv}}}}}}}"), runtime) == "r");
    }

    [Fact]
    public void Ordering_PriorityThenLowestProtocolThenNewestThenName()
    {
        var isvc = Isvc("{model: {modelFormat: {name: sklearn}, protocolVersion: v2}}");
        var noPriority = Runtime("ClusterServingRuntime", "a-none", "[{name: sklearn, autoSelect: true}]", "[v2]");
        var low = Runtime("ClusterServingRuntime", "b-low", "[{name: sklearn, autoSelect: true, priority: 1}]", "[v2]");
        var high = Runtime("ClusterServingRuntime", "c-high", "[{name: sklearn, autoSelect: true, priority: 5}]", "[v2]");
        var order = RuntimeSelector.SupportingRuntimes(isvc, new RuntimeCatalog([noPriority, low, high])).Select(r => r.Name);
        Assert.Equal(["c-high", "b-low", "a-none"], order);

        // Equal priority: lowest protocol first (v1 before v2).
        var v2only = Runtime("ClusterServingRuntime", "a-v2", "[{name: sklearn, autoSelect: true, priority: 1}]", "[v2]");
        var v1v2 = Runtime("ClusterServingRuntime", "z-v1v2", "[{name: sklearn, autoSelect: true, priority: 1}]", "[v2, v1]");
        Assert.Equal("z-v1v2", Pick(isvc, v2only, v1v2));

        // Equal priority and protocols: newest creationTimestamp first, then name.
        var older = Runtime("ClusterServingRuntime", "a-old", "[{name: sklearn, autoSelect: true}]", "[v2]", metadata: "  creationTimestamp: '2024-01-01T00:00:00Z'");
        var newer = Runtime("ClusterServingRuntime", "z-new", "[{name: sklearn, autoSelect: true}]", "[v2]", metadata: "  creationTimestamp: '2025-01-01T00:00:00Z'");
        Assert.Equal("z-new", Pick(isvc, older, newer));
        var b = Runtime("ClusterServingRuntime", "bbb", "[{name: sklearn, autoSelect: true}]", "[v2]");
        var a = Runtime("ClusterServingRuntime", "aaa", "[{name: sklearn, autoSelect: true}]", "[v2]");
        Assert.Equal("aaa", Pick(isvc, b, a));
    }

    [Fact]
    public void Priority_FromFirstFormatWithThatName()
    {
        // The runtime lists sklearn twice; the first entry (no priority) decides, so the other runtime wins.
        var first = Runtime("ClusterServingRuntime", "a", "[{name: sklearn, version: '0', autoSelect: true}, {name: sklearn, version: '1', autoSelect: true, priority: 9}]");
        var other = Runtime("ClusterServingRuntime", "b", "[{name: sklearn, autoSelect: true, priority: 1}]");
        Assert.Equal("b", Pick(Isvc("{model: {modelFormat: {name: sklearn}}}"), first, other));
    }

    [Fact]
    public void Multinode_OnlyWorkerSpecRuntimes()
    {
        var isvc = Isvc("{model: {modelFormat: {name: huggingface}, storageUri: 'pvc://m/x'}, workerSpec: {}}");
        Assert.Equal("kserve-huggingfaceserver-multinode", Pick(isvc, [.. BuiltInRuntimes.KServe]));
    }

    [Fact]
    public void CustomContainer_NotApplicable()
    {
        var selection = RuntimeSelector.Select(Isvc("{containers: [{name: kserve-container, image: i}]}"), BuiltInRuntimes.DefaultCatalog());
        Assert.True(selection.NotApplicable);
    }
}
