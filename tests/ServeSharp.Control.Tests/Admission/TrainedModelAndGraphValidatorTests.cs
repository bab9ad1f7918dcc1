using ServeSharp.Control.Admission;
using ServeSharp.Control.Api.V1Alpha1;

namespace ServeSharp.Control.Tests.Admission;

public class TrainedModelAndGraphValidatorTests
{
    private static TrainedModel Tm(string name, string uri, string memory = "256Mi") => TestManifests.Parse<TrainedModel>($$"""
        apiVersion: serving.kserve.io/v1alpha1
        kind: TrainedModel
        metadata: {name: "{{name}}"}
        spec:
          inferenceService: sklearn-mms
          model: {storageUri: "{{uri}}", framework: sklearn, memory: {{memory}}}
        """);

    [Theory]
    [InlineData("model1", "gs://b/m", null)]
    [InlineData("Model_1", "s3://b/m", null)]
    [InlineData("m", "https://h/m.joblib", null)]
    [InlineData("abc.123", "gs://b/m", "the Trained Model \"abc.123\" is invalid: a Trained Model name must consist of alphanumeric characters, '_', or '-'. (e.g. \"my-Name\" or \"abc_123\", regex used for validation is '^[a-zA-Z0-9_-]+$')")]
    [InlineData("m", "pvc://claim/m", "the Trained Model \"m\" storageUri field is invalid. The storage uri must start with one of the prefixes: s3://, gs://, https://, http://. (the storage uri given is \"pvc://claim/m\")")]
    public void TrainedModel_Create(string name, string uri, string? expected) =>
        Assert.Equal(expected, TrainedModelValidator.Validate(Tm(name, uri)).Error);

    [Theory]
    [InlineData("256Mi", null)]
    [InlineData("268435456", null)]
    [InlineData("512Mi", "the Trained Model \"m\" memory field is immutable. The memory was \"256Mi\" but it is updated to \"512Mi\"")]
    public void TrainedModel_MemoryImmutable(string memory, string? expected) =>
        Assert.Equal(expected, TrainedModelValidator.Validate(Tm("m", "gs://b/m", memory), Tm("m", "gs://b/m")).Error);

    private static InferenceGraph Graph(string name, string nodes) => TestManifests.Parse<InferenceGraph>($$"""
        apiVersion: serving.kserve.io/v1alpha1
        kind: InferenceGraph
        metadata: {name: "{{name}}"}
        spec:
          nodes: {{nodes}}
        """);

    public static TheoryData<string, string, string?> GraphCases => new()
    {
        { "g", "{root: {routerType: Sequence, steps: [{serviceName: a}, {nodeName: n2, name: s2}]}, n2: {routerType: Ensemble, steps: [{serviceName: b}]}}", null },
        { "G", "{root: {routerType: Sequence, steps: [{serviceName: a}]}}", "The InferenceGraph \"G\" is invalid: a InferenceGraph name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" },
        { "g", "{start: {routerType: Sequence, steps: [{serviceName: a}]}}", "root node not found, InferenceGraph needs a node with name 'root' as the root node of the graph" },
        { "g", "{root: {routerType: Sequence, steps: [{name: x, serviceName: a}, {name: x, serviceName: b}]}}", "Node \"root\" of InferenceGraph \"g\" contains more than one step with name \"x\"" },
        { "g", "{root: {routerType: Sequence, steps: [{name: x}]}}", "Step 0 (\"x\") in node \"root\" of InferenceGraph \"g\" does not specify an inference target" },
        { "g", "{root: {routerType: Sequence, steps: [{serviceName: a}, {name: y2, serviceName: a, serviceUrl: 'http://a'}]}}", "Step 1 (\"y2\") in node \"root\" of InferenceGraph \"g\" specifies more than one of nodeName, serviceName, serviceUrl" },
        { "g", "{root: {routerType: Splitter, steps: [{serviceName: a, weight: 20}, {serviceName: b, weight: 80}]}}", null },
        { "g", "{root: {routerType: Splitter, steps: [{serviceName: a, weight: 20}, {serviceName: b}]}}", "InferenceGraph[g] Node[root] Route[b] missing the 'Weight'" },
        { "g", "{root: {routerType: Splitter, steps: [{serviceName: a, weight: 20}, {serviceName: b, weight: 70}]}}", "InferenceGraph[g] Node[root] splitter node: the sum of traffic weights for all routing targets should be 100" },
    };

    [Theory]
    [MemberData(nameof(GraphCases))]
    public void InferenceGraph_Validate(string name, string nodes, string? expected) =>
        Assert.Equal(expected, InferenceGraphValidator.Validate(Graph(name, nodes)).Error);
}
