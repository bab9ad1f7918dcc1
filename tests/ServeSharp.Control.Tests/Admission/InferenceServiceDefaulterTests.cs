using ServeSharp.Control.Admission;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Configuration;

namespace ServeSharp.Control.Tests.Admission;

public class InferenceServiceDefaulterTests
{
    private static InferenceService Isvc(string predictor, string annotations = "{}") =>
        TestManifests.Parse<InferenceService>($$"""
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: m, annotations: {{annotations}}}
            spec:
              predictor: {{predictor}}
            """);

    private static InferenceServiceConfig WithMode(string mode) =>
        InferenceServiceConfig.Default with { Deploy = new DeployConfig { DefaultDeploymentMode = mode } };

    [Theory]
    [InlineData("sklearn", "sklearn", null)]
    [InlineData("xgboost", "xgboost", null)]
    [InlineData("tensorflow", "tensorflow", null)]
    [InlineData("pytorch", "pytorch", null)]
    [InlineData("triton", "triton", "v2")]
    [InlineData("onnx", "onnx", "v2")]
    [InlineData("huggingface", "huggingface", "v2")]
    [InlineData("pmml", "pmml", null)]
    [InlineData("lightgbm", "lightgbm", null)]
    [InlineData("paddle", "paddle", null)]
    public void LegacyKey_BecomesModel_WithFormatAndProtocol(string key, string format, string? protocol)
    {
        var isvc = Isvc($"{{{key}: {{storageUri: 'gs://b/m', runtimeVersion: '1.2', resources: {{limits: {{cpu: '2'}}}}}}}}");
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        var p = isvc.Spec.Predictor;
        Assert.All(p.FrameworkKeys(), k => Assert.Null(k.Spec));
        Assert.Equal(format, p.Model!.ModelFormat!.Name);
        Assert.Null(p.Model.ModelFormat.Version);
        Assert.Null(p.Model.Runtime);
        Assert.Equal(protocol, p.Model.ProtocolVersion);
        Assert.Equal("gs://b/m", p.Model.StorageUri);
        Assert.Equal("1.2", p.Model.RuntimeVersion);
        Assert.Equal("2", p.Model.Resources.Limits["cpu"].ToString());
        Assert.Equal(format, isvc.Metadata.Annotations["modelFormat"]);
    }

    [Fact]
    public void LegacyKey_ExplicitProtocolKept()
    {
        var isvc = Isvc("{onnx: {storageUri: 'gs://b/m', protocolVersion: grpc-v2}}");
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        Assert.Equal("grpc-v2", isvc.Spec.Predictor.Model!.ProtocolVersion);
    }

    [Fact]
    public void TwoLegacyKeys_OnlyFirstInSwitchOrderConverted()
    {
        // Switch order is sklearn, tensorflow, xgboost...: xgboost stays and later fails "exactly one".
        var isvc = Isvc("{xgboost: {storageUri: 'gs://x'}, sklearn: {storageUri: 'gs://s'}}");
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        Assert.Equal("sklearn", isvc.Spec.Predictor.Model!.ModelFormat!.Name);
        Assert.NotNull(isvc.Spec.Predictor.XGBoost);
    }

    [Theory]
    [InlineData("triton", "v2")]
    [InlineData("vLLM", "v2")]
    [InlineData("sklearn", null)]
    [InlineData("onnx", null)]
    public void ModelFormat_ProtocolDefault(string format, string? protocol)
    {
        var isvc = Isvc($"{{model: {{modelFormat: {{name: {format}}}}}}}");
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        Assert.Equal(protocol, isvc.Spec.Predictor.Model!.ProtocolVersion);
    }

    [Fact]
    public void ModelFormatAnnotation_NotOverwritten()
    {
        var isvc = Isvc("{model: {modelFormat: {name: sklearn}}}", "{modelFormat: custom}");
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        Assert.Equal("custom", isvc.Metadata.Annotations["modelFormat"]);
    }

    [Theory]
    [InlineData("RawDeployment", "Serverless", "Standard")]
    [InlineData("Serverless", "Serverless", "Knative")]
    [InlineData("Standard", "Serverless", "Standard")]
    [InlineData("ModelMesh", "Serverless", "ModelMesh")]
    [InlineData(null, "Serverless", null)]
    [InlineData(null, "Knative", null)]
    [InlineData(null, "RawDeployment", "Standard")]
    [InlineData(null, "Standard", "Standard")]
    [InlineData(null, "ModelMesh", "ModelMesh")]
    public void DeploymentModeAnnotation(string? annotation, string configured, string? expected)
    {
        var isvc = Isvc("{model: {modelFormat: {name: sklearn}}}",
            annotation is null ? "{}" : $"{{serving.kserve.io/deploymentMode: {annotation}}}");
        new InferenceServiceDefaulter(WithMode(configured)).Default(isvc);
        Assert.Equal(expected, isvc.GetAnnotation("serving.kserve.io/deploymentMode"));
    }

    [Fact]
    public void ModelMeshAnnotation_LegacyKeyNotConverted()
    {
        var isvc = Isvc("{sklearn: {storageUri: 's3://b/m'}}", "{serving.kserve.io/deploymentMode: ModelMesh}");
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        Assert.NotNull(isvc.Spec.Predictor.SKLearn);
        Assert.Null(isvc.Spec.Predictor.Model);
    }

    [Fact]
    public void ModelMeshConfigDefault_QuirkStillConvertsBecauseAnnotationWasAbsent()
    {
        var isvc = Isvc("{sklearn: {storageUri: 's3://b/m'}}");
        new InferenceServiceDefaulter(WithMode("ModelMesh")).Default(isvc);
        Assert.Equal("ModelMesh", isvc.GetAnnotation("serving.kserve.io/deploymentMode"));
        Assert.NotNull(isvc.Spec.Predictor.Model);
    }

    [Fact]
    public void CustomPredictor_SingleContainerNamedAndResourced()
    {
        var isvc = Isvc("{containers: [{name: my-server, image: img, resources: {limits: {memory: 4Gi}}}]}");
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        var c = Assert.Single(isvc.Spec.Predictor.Containers);
        Assert.Equal("kserve-container", c.Name);
        Assert.Equal("4Gi", c.Resources.Limits["memory"].ToString());
        Assert.Equal("1", c.Resources.Limits["cpu"].ToString());
        Assert.Equal("1", c.Resources.Requests["cpu"].ToString());
        Assert.Equal("2Gi", c.Resources.Requests["memory"].ToString());
    }

    [Fact]
    public void ModelPredictor_GetsNoResourceDefaults()
    {
        var isvc = Isvc("{model: {modelFormat: {name: sklearn}}}");
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        Assert.Null(isvc.Spec.Predictor.Model!.Resources);
    }

    [Fact]
    public void Transformer_ContainerNamedKserveContainer_AndResourced()
    {
        var isvc = TestManifests.Parse<InferenceService>("""
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: t}
            spec:
              predictor: {model: {modelFormat: {name: pytorch}}}
              transformer: {containers: [{name: transformer, image: img}]}
              explainer: {art: {type: SquareAttack}}
            """);
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        Assert.Equal("kserve-container", isvc.Spec.Transformer!.Containers[0].Name);
        Assert.Equal("2Gi", isvc.Spec.Transformer.Containers[0].Resources.Limits["memory"].ToString());
        Assert.Equal("latest", isvc.Spec.Explainer!.Art!.RuntimeVersion);
        Assert.Equal("kserve-container", isvc.Spec.Explainer.Art.Name);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, false)]
    public void AutomountServiceAccountToken(bool configured, bool? expected)
    {
        var isvc = Isvc("{model: {modelFormat: {name: sklearn}}}");
        var config = InferenceServiceConfig.Default with { Security = new SecurityConfig { AutoMountServiceAccountToken = configured } };
        new InferenceServiceDefaulter(config).Default(isvc);
        Assert.Equal(expected, isvc.Spec.Predictor.AutomountServiceAccountToken);
    }
}
