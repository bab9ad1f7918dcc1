using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Tests.Serialization;

public class ManifestReaderTests
{
    private const string Sklearn = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: sklearn-iris
          annotations:
            serving.kserve.io/deploymentMode: RawDeployment
        spec:
          predictor:
            minReplicas: 2
            sklearn:
              storageUri: gs://kfserving-examples/models/sklearn/1.0/model
              resources:
                limits:
                  cpu: 1
                  memory: 2Gi
        """;

    [Fact]
    public void Read_MultiDocument_DecodesEachKind()
    {
        var text = Sklearn + "\n---\n" + """
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata:
              name: my-runtime
            spec:
              supportedModelFormats:
                - name: sklearn
                  version: "1"
                  autoSelect: true
              containers:
                - name: kserve-container
                  image: servesharp:latest
            ---
            """;
        var docs = ManifestReader.Read(text, "x.yaml");
        Assert.Equal(2, docs.Count);
        var isvc = Assert.IsType<InferenceService>(docs[0].Resource);
        Assert.Equal("sklearn-iris", isvc.Name);
        Assert.Equal(2, isvc.Spec.Predictor.MinReplicas);
        Assert.Equal("gs://kfserving-examples/models/sklearn/1.0/model", isvc.Spec.Predictor.SKLearn!.StorageUri);
        Assert.Equal("2Gi", isvc.Spec.Predictor.SKLearn.Resources.Limits["memory"].ToString());
        var runtime = Assert.IsType<ServingRuntime>(docs[1].Resource);
        Assert.Equal("1", runtime.Spec.SupportedModelFormats![0].Version);
        Assert.Equal("kserve-container", runtime.Spec.Containers![0].Name);
    }

    [Fact]
    public void Read_UnknownFields_ReportedLikeKubectlStrictDecoding()
    {
        var text = Sklearn.Replace("minReplicas: 2", "minReplicas: 2\n    replicas: 3", StringComparison.Ordinal)
            .Replace("storageUri:", "storageURI:", StringComparison.Ordinal);
        var doc = Assert.Single(ManifestReader.Read(text, "isvc.yaml"));
        Assert.Null(doc.Resource);
        Assert.Equal(
            "Error from server (BadRequest): error when creating \"isvc.yaml\": InferenceService in version \"v1beta1\" cannot be handled as a InferenceService: " +
            "strict decoding error: unknown field \"spec.predictor.replicas\", unknown field \"spec.predictor.sklearn.storageURI\"",
            KubectlErrorFormatter.Format(doc, "isvc.yaml"));
    }

    [Fact]
    public void Read_UnknownFieldInsideList_UsesIndexPath()
    {
        var text = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: custom}
            spec:
              predictor:
                containers:
                  - name: kserve-container
                    image: x
                    envs: []
            """;
        var doc = Assert.Single(ManifestReader.Read(text, "f.yaml"));
        Assert.Equal(["unknown field \"spec.predictor.containers[0].envs\""], doc.Problem!.Details);
    }

    [Theory]
    [InlineData("minReplicas: two", "spec.predictor.minReplicas: Invalid value: \"string\": spec.predictor.minReplicas in body must be of type integer: \"string\"")]
    [InlineData("minReplicas: 1.5", "spec.predictor.minReplicas: Invalid value: \"number\": spec.predictor.minReplicas in body must be of type integer: \"number\"")]
    [InlineData("scaleMetric: gpu", "spec.predictor.scaleMetric: Unsupported value: \"gpu\": supported values: \"cpu\", \"memory\", \"concurrency\", \"rps\"")]
    [InlineData("containers: {}", "spec.predictor.containers: Invalid value: \"object\": spec.predictor.containers in body must be of type array: \"object\"")]
    [InlineData("name: Bad_Name", "spec.predictor.name: Invalid value: \"Bad_Name\": spec.predictor.name in body should match '^[a-z]([-a-z0-9]*[a-z0-9])?$'")]
    // Null items and map values (found by fuzzing: admission used to fail with a NullReferenceException on them).
    [InlineData("containers: [null]", "spec.predictor.containers[0]: Invalid value: \"null\": spec.predictor.containers[0] in body must be of type object: \"null\"")]
    [InlineData("containers: [{name: a, args: [x, null]}]", "spec.predictor.containers[0].args[1]: Invalid value: \"null\": spec.predictor.containers[0].args[1] in body must be of type string: \"null\"")]
    [InlineData("nodeSelector: {disk: null}", "spec.predictor.nodeSelector.disk: Invalid value: \"null\": spec.predictor.nodeSelector.disk in body must be of type string: \"null\"")]
    public void Read_WrongTypes_ReportedAsInvalid(string line, string expected)
    {
        var text = Sklearn.Replace("minReplicas: 2", line, StringComparison.Ordinal);
        var doc = Assert.Single(ManifestReader.Read(text, "f.yaml"));
        Assert.Equal(ManifestProblemKind.Invalid, doc.Problem!.Kind);
        Assert.Equal(expected, Assert.Single(doc.Problem.Details));
        Assert.Equal($"The InferenceService \"sklearn-iris\" is invalid: {expected}", KubectlErrorFormatter.Format(doc, "f.yaml"));
    }

    [Fact]
    public void Read_BadQuantity_ReportedWithCrdPattern()
    {
        var doc = Assert.Single(ManifestReader.Read(Sklearn.Replace("memory: 2Gi", "memory: 2GB", StringComparison.Ordinal), "f.yaml"));
        Assert.StartsWith("spec.predictor.sklearn.resources.limits.memory: Invalid value: \"2GB\": spec.predictor.sklearn.resources.limits.memory in body should match '^(\\+|-)?",
            Assert.Single(doc.Problem!.Details), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingRequired_ReportsRequiredValue()
    {
        var text = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: m}
            spec:
              predictor:
                model:
                  modelFormat: {version: "1"}
            """;
        var doc = Assert.Single(ManifestReader.Read(text, "f.yaml"));
        Assert.Equal(["spec.predictor.model.modelFormat.name: Required value"], doc.Problem!.Details);
    }

    [Fact]
    public void Read_UnquotedVersionNumber_IsATypeError()
    {
        var text = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: m}
            spec:
              predictor:
                model:
                  modelFormat: {name: sklearn, version: 1}
            """;
        var doc = Assert.Single(ManifestReader.Read(text, "f.yaml"));
        Assert.Equal(["spec.predictor.model.modelFormat.version: Invalid value: \"integer\": spec.predictor.model.modelFormat.version in body must be of type string: \"integer\""], doc.Problem!.Details);
    }

    [Fact]
    public void Read_MissingKindAndVersion_KubectlClientValidation()
    {
        var doc = Assert.Single(ManifestReader.Read("metadata: {name: x}\nspec: {}\n", "f.yaml"));
        Assert.Equal("error: error validating \"f.yaml\": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false",
            KubectlErrorFormatter.Format(doc, "f.yaml"));
    }

    [Fact]
    public void Read_UnknownKind_NoMatchesForKind()
    {
        var doc = Assert.Single(ManifestReader.Read("apiVersion: serving.kserve.io/v1beta1\nkind: Predictor\nmetadata: {name: x, namespace: ns}\n", "f.yaml"));
        Assert.Equal("error: resource mapping not found for name: \"x\" namespace: \"ns\" from \"f.yaml\": no matches for kind \"Predictor\" in version \"serving.kserve.io/v1beta1\"\nensure CRDs are installed first",
            KubectlErrorFormatter.Format(doc, "f.yaml"));
    }

    [Fact]
    public void Read_MissingName_ResourceNameMayNotBeEmpty()
    {
        var doc = Assert.Single(ManifestReader.Read("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {}\nspec: {predictor: {}}\n", "f.yaml"));
        Assert.EndsWith("from server for: \"f.yaml\": resource name may not be empty", KubectlErrorFormatter.Format(doc, "f.yaml"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spec: [unclosed", "error parsing f.yaml: error converting YAML to JSON: yaml: line ")]
    [InlineData("a: 1\na: 2\n", "error parsing f.yaml: error converting YAML to JSON: yaml: unmarshal errors:\n  line 2: key \"a\" already set in map")]
    [InlineData("{\"apiVersion\": ", "error parsing f.yaml: error converting YAML to JSON: ")]
    [InlineData("steps:\n  - a: b\n:\nx    y: z\n", "error parsing f.yaml: error converting YAML to JSON: yaml: malformed document")] // YamlDotNet: ArgumentException
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"X\",\"metadata\":{\"name\":\"a\\ud800\"}}", "error parsing f.yaml: error converting YAML to JSON: a string is not valid UTF-8 or holds an invalid \\u escape")]
    public void Read_SyntaxErrors_ThrowClearMessage(string text, string prefix)
    {
        var e = Assert.Throws<ManifestSyntaxException>(() => ManifestReader.Read(text, "f.yaml"));
        Assert.StartsWith(prefix, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_GraphNodeThatIsNull_IsInvalidNotACrash()
    {
        const string graph = """
            apiVersion: serving.kserve.io/v1alpha1
            kind: InferenceGraph
            metadata:
              name: chain
            spec:
              nodes:
                root: null
            """;
        var doc = Assert.Single(ManifestReader.Read(graph, "f.yaml"));
        Assert.Equal(ManifestProblemKind.Invalid, doc.Problem!.Kind);
        Assert.Equal("spec.nodes.root: Invalid value: \"null\": spec.nodes.root in body must be of type object: \"null\"", Assert.Single(doc.Problem.Details));
    }

    [Fact]
    public void Read_JsonManifest_Decodes()
    {
        var json = """{"apiVersion":"serving.kserve.io/v1beta1","kind":"InferenceService","metadata":{"name":"j"},"spec":{"predictor":{"model":{"modelFormat":{"name":"onnx"},"protocolVersion":"v2"}}}}""";
        var isvc = Assert.IsType<InferenceService>(Assert.Single(ManifestReader.Read(json, "f.json")).Resource);
        Assert.Equal("onnx", isvc.Spec.Predictor.Model!.ModelFormat!.Name);
    }

    [Fact]
    public void Read_ListKind_ExpandsItems()
    {
        var text = """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: serving.kserve.io/v1alpha1
                kind: TrainedModel
                metadata: {name: tm1}
                spec: {inferenceService: parent, model: {storageUri: "s3://b/m", framework: sklearn, memory: 256Mi}}
              - apiVersion: serving.kserve.io/v1alpha1
                kind: TrainedModel
                metadata: {name: tm2}
                spec: {inferenceService: parent, model: {storageUri: "s3://b/n", framework: sklearn, memory: 1Gi}}
            """;
        var docs = ManifestReader.Read(text, "f.yaml");
        Assert.Equal(["tm1", "tm2"], docs.Select(d => d.Resource!.Name));
        Assert.Equal(1024L * 1024 * 1024, ((TrainedModel)docs[1].Resource!).Spec.Model.Memory!.ToInt64());
    }
}
