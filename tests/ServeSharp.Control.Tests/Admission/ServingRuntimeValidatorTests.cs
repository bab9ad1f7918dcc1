using ServeSharp.Control.Admission;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Runtimes;

namespace ServeSharp.Control.Tests.Admission;

public class ServingRuntimeValidatorTests
{
    private static ServingRuntimeBase Runtime(string name, string formats, string protocols = "[v1, v2]", string extra = "", string kind = "ServingRuntime") =>
        kind == "ServingRuntime"
            ? TestManifests.Parse<ServingRuntime>(Text(name, formats, protocols, extra, kind))
            : TestManifests.Parse<ClusterServingRuntime>(Text(name, formats, protocols, extra, kind));

    private static string Text(string name, string formats, string protocols, string extra, string kind) => $$"""
        apiVersion: serving.kserve.io/v1alpha1
        kind: {{kind}}
        metadata: {name: {{name}}, namespace: ns}
        spec:
          supportedModelFormats: {{formats}}
          protocolVersions: {{protocols}}
          containers: [{name: kserve-container, image: img}]
        {{extra}}
        """;

    private static readonly ServingRuntimeBase Peer = Runtime("peer", "[{name: sklearn, version: '1', autoSelect: true, priority: 1}]");

    public static TheoryData<string, string, string, string, string?> Cases => new()
    {
        // name, formats, protocols, extra, expected
        { "new", "[{name: sklearn, version: '1', autoSelect: true, priority: 2}]", "[v1]", "", null },
        { "new", "[{name: sklearn, version: '1', autoSelect: true, priority: 1}]", "[v1]", "", "same priority assigned for the model format sklearn in the servingruntimes peer and new in namespace ns" },
        { "new", "[{name: SKLearn, version: '1', autoSelect: true, priority: 1}]", "[v2]", "", "same priority assigned for the model format SKLearn in the servingruntimes peer and new in namespace ns" },
        { "new", "[{name: sklearn, version: '1', autoSelect: true, priority: 1}]", "[grpc-v2]", "", null },
        { "new", "[{name: sklearn, version: '1', autoSelect: true, priority: 1}]", "[]", "", null },
        { "new", "[{name: sklearn, version: '1.0', autoSelect: true, priority: 1}]", "[v1]", "", null },
        { "new", "[{name: sklearn, version: '1', autoSelect: false, priority: 1}]", "[v1]", "", null },
        { "new", "[{name: sklearn, version: '1', autoSelect: true, priority: 1}]", "[v1]", "  disabled: true", null },
        { "new", "[{name: sklearn, version: '1', autoSelect: true, priority: 1}]", "[v1]", "  multiModel: true", null },
        { "peer", "[{name: sklearn, version: '1', autoSelect: true, priority: 1}]", "[v1]", "", null },
        { "new", "[{name: xgb, autoSelect: true, priority: 1}, {name: xgb, autoSelect: true, priority: 2}]", "[v1]", "", "different priorities assigned for the model format xgb under the servingruntime new" },
        { "new", "[{name: m, autoSelect: true}]", "[v1]", "  workerSpec: {containers: [{name: a, image: i}, {name: b, image: i}]}", "the ServingRuntime new is invalid: setting multiple containers in workerSpec is not allowed" },
        { "new", "[{name: m, autoSelect: true}]", "[v1]", "  workerSpec: {containers: [], pipelineParallelSize: 0}", "the ServingRuntime new is invalid: the WorkerSpec.PipelineParallelSize cannot be less than 1(0)" },
        { "new", "[{name: m, autoSelect: true}]", "[v1]", "  workerSpec: {containers: [], tensorParallelSize: 0}", "the ServingRuntime new is invalid: the WorkerSpec.TensorParallelSize cannot be less than 1(0)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate(string name, string formats, string protocols, string extra, string? expected) =>
        Assert.Equal(expected, ServingRuntimeValidator.Validate(Runtime(name, formats, protocols, extra), [Peer]).Error);

    [Fact]
    public void WithinRuntimePriorityCheck_OnlyRunsWhenPeersExist_Quirk()
    {
        var runtime = Runtime("new", "[{name: xgb, autoSelect: true, priority: 1}, {name: xgb, autoSelect: true, priority: 2}]");
        Assert.True(ServingRuntimeValidator.Validate(runtime, []).IsAllowed);
    }

    [Fact]
    public void RemovingWorkerSpec_OnUpdate_Rejected()
    {
        var stored = Runtime("rt", "[{name: m, autoSelect: true}]", extra: "  workerSpec: {containers: []}");
        var updated = Runtime("rt", "[{name: m, autoSelect: true}]");
        Assert.Equal("the ServingRuntime rt is invalid: removing workerSpec where it already exists is not allowed",
            ServingRuntimeValidator.Validate(updated, [stored]).Error);
    }

    [Fact]
    public void PythonPath_Blocked()
    {
        var runtime = TestManifests.Parse<ServingRuntime>("""
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata: {name: r}
            spec:
              containers: [{name: kserve-container, image: i, env: [{name: PYTHONPATH, value: /evil}]}]
            """);
        Assert.Equal("setting PYTHONPATH in container \"kserve-container\" is not allowed for security reasons",
            ServingRuntimeValidator.Validate(runtime, []).Error);
    }

    [Fact]
    public void ClusterRuntime_UsesClusterMessage()
    {
        var peer = Runtime("peer", "[{name: sklearn, autoSelect: true, priority: 1}]", kind: "ClusterServingRuntime");
        var runtime = Runtime("new", "[{name: sklearn, autoSelect: true, priority: 1}]", kind: "ClusterServingRuntime");
        Assert.Equal("same priority assigned for the model format sklearn in the clusterservingruntimes peer and new",
            ServingRuntimeValidator.Validate(runtime, [peer]).Error);
    }

    [Fact]
    public void BuiltInRuntimes_PassTheWebhookAgainstEachOther()
    {
        foreach (var set in new[] { BuiltInRuntimes.KServe, BuiltInRuntimes.Default })
        {
            foreach (var runtime in set)
            {
                var verdict = ServingRuntimeValidator.Validate(runtime, set.Cast<ServingRuntimeBase>().ToList());
                Assert.True(verdict.IsAllowed, $"{runtime.Name}: {verdict.Error}");
            }
        }
    }
}
