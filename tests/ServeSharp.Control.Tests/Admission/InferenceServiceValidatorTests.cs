using ServeSharp.Control.Admission;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Configuration;

namespace ServeSharp.Control.Tests.Admission;

public class InferenceServiceValidatorTests
{
    private static InferenceService Build(string name, string annotations, string spec)
    {
        var isvc = TestManifests.Parse<InferenceService>($$"""
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: "{{name}}"
              annotations: {{annotations}}
            spec:
            {{Indent(spec)}}
            """);
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(isvc);
        return isvc;
    }

    private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => "  " + l));

    private const string Model = "predictor:\n  model:\n    modelFormat: {name: sklearn}\n    storageUri: gs://b/m";

    // name, annotations, spec, expected error (null = allowed)
    public static TheoryData<string, string, string, string?> Cases => new()
    {
        // name
        { "sklearn-iris", "{}", Model, null },
        { "a1-b2", "{}", Model, null },
        { "1abc", "{}", Model, "the InferenceService \"1abc\" is invalid: a InferenceService name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" },
        { "abc-", "{}", Model, "the InferenceService \"abc-\" is invalid: a InferenceService name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" },
        { "Upper", "{}", Model, "the InferenceService \"Upper\" is invalid: a InferenceService name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" },
        // autoscaler class
        { "m", "{serving.kserve.io/autoscalerClass: hpa}", Model, null },
        { "m", "{serving.kserve.io/autoscalerClass: keda}", Model, null },
        { "m", "{serving.kserve.io/autoscalerClass: external}", Model, null },
        { "m", "{serving.kserve.io/autoscalerClass: none}", Model, null },
        { "m", "{serving.kserve.io/autoscalerClass: kpa}", Model, "[kpa] is not a supported autoscaler class type" },
        // blocked env
        { "m", "{}", Model + "\n    env: [{name: PYTHONPATH, value: /x}]", "the InferenceService \"m\" is invalid: setting PYTHONPATH in container \"\" is not allowed for security reasons" },
        { "m", "{}", "predictor:\n  containers: [{name: kserve-container, image: i, env: [{name: PYTHONPATH, value: x}]}]", "the InferenceService \"m\" is invalid: setting PYTHONPATH in container \"kserve-container\" is not allowed for security reasons" },
        { "m", "{}", Model + "\ntransformer:\n  containers: [{name: t, image: i, env: [{name: PYTHONPATH, value: x}]}]", "the InferenceService \"m\" is invalid: setting PYTHONPATH in container \"kserve-container\" is not allowed for security reasons" },
        { "m", "{}", Model + "\n    env: [{name: PYTHONHOME, value: /x}]", null },
        // collocation
        { "m", "{}", Model + "\n  containers: [{name: transformer-container, image: t, env: [{name: STORAGE_URI, value: s3://x}]}]", "storage uri should not be specified in transformer container" },
        { "m", "{}", Model + "\n  containers: [{name: transformer-container, image: t}]", null },
        // name field on framework container
        { "m", "{}", Model + "\n    name: my-container", "the 'name' field is not allowed in standard predictor" },
        // storageUri vs storageUris
        { "m", "{}", Model + "\n  storageUris: [{uri: 's3://a'}]", "Setting both StorageURI and StorageURIs is not supported." },
        { "m", "{}", "predictor:\n  model: {modelFormat: {name: sklearn}}\n  storageUris: [{uri: 's3://a', mountPath: /mnt/models/a}, {uri: 's3://b', mountPath: /mnt/models/b}]", null },
        { "m", "{}", "predictor:\n  model: {modelFormat: {name: sklearn}}\n  storageUris: [{uri: 's3://a', mountPath: /a}, {uri: 's3://b', mountPath: /b}]", "storage paths must have a common parent directory. Current paths: [/a /b] have no common parent beyond root" },
        { "m", "{}", "predictor:\n  model: {modelFormat: {name: sklearn}}\n  storageUris: [{uri: 's3://a', mountPath: /mnt/../etc}]", "storage path cannot contain '..' for security reasons: /mnt/../etc" },
        { "m", "{}", "predictor:\n  model: {modelFormat: {name: sklearn}}\n  storageUris: [{uri: 's3://a', mountPath: /}]", "storage path cannot be empty" },
        { "m", "{}", "predictor:\n  model: {modelFormat: {name: sklearn}}\n  storageUris: [{uri: '', mountPath: /mnt/a}]", "storage URI cannot be empty" },
        { "m", "{}", "predictor:\n  model: {modelFormat: {name: sklearn}}\n  storageUris: [{uri: 'pvc://c/a', mountPath: /mnt/x}, {uri: 'pvc://c/b', mountPath: /mnt/x}, {uri: 's3://a', mountPath: /mnt/m/a}, {uri: 's3://b', mountPath: /mnt/m/b}]", "PVC storage paths must be unique" },
        // exactly one implementation
        { "m", "{}", "predictor:\n  sklearn: {storageUri: gs://a}\n  xgboost: {storageUri: gs://b}", "exactly one of [SKLearn, XGBoost, Tensorflow, PyTorch, Triton, ONNX, HuggingFace, PMML, LightGBM, Paddle, Model, StorageUris, WorkerSpec, PodSpec] must be specified in PredictorSpec" },
        { "m", "{}", "predictor:\n  minReplicas: 1", "exactly one of [SKLearn, XGBoost, Tensorflow, PyTorch, Triton, ONNX, HuggingFace, PMML, LightGBM, Paddle, Model, StorageUris, WorkerSpec, PodSpec] must be specified in PredictorSpec" },
        { "m", "{}", Model + "\n  containers: [{name: kserve-container, image: i}]", "exactly one of [SKLearn, XGBoost, Tensorflow, PyTorch, Triton, ONNX, HuggingFace, PMML, LightGBM, Paddle, Model, StorageUris, WorkerSpec, PodSpec] must be specified in PredictorSpec" },
        { "m", "{}", Model + "\ntransformer: {minReplicas: 1}", "exactly one of [PodSpec] must be specified in TransformerSpec" },
        { "m", "{}", Model + "\nexplainer:\n  art: {type: SquareAttack}\n  containers: [{name: e, image: i}]", "exactly one of [ART, PodSpec] must be specified in ExplainerSpec" },
        // replicas / concurrency
        { "m", "{}", Model + "\n  minReplicas: 0\n  maxReplicas: 0", null },
        { "m", "{}", Model + "\n  minReplicas: 5\n  maxReplicas: 0", null },
        { "m", "{}", Model + "\n  minReplicas: -1", "'MinReplicas' cannot be less than 0" },
        { "m", "{}", Model + "\n  maxReplicas: -1", "'MaxReplicas' cannot be less than 0" },
        { "m", "{}", Model + "\n  minReplicas: 3\n  maxReplicas: 2", "'MinReplicas' cannot be greater than MaxReplicas" },
        { "m", "{}", Model + "\n  maxReplicas: 1", null },
        { "m", "{}", Model + "\n  containerConcurrency: -1", "parallelism cannot be less than 0" },
        { "m", "{}", Model + "\n  containerConcurrency: 0", null },
        // logger
        { "m", "{}", Model + "\n  logger: {mode: all, url: http://sink}", null },
        { "m", "{}", Model + "\n  logger: {url: http://sink}", "invalid logger type" },
        { "m", "{}", Model + "\n  logger: {mode: all, storage: {path: /p}}", "logger storage requires path, parameters and key" },
        // custom PROTOCOL env (KServe swaps the format arguments)
        { "m", "{}", "predictor:\n  containers: [{name: kserve-container, image: i, env: [{name: PROTOCOL, value: v2}]}]", null },
        { "m", "{}", "predictor:\n  containers: [{name: kserve-container, image: i, env: [{name: PROTOCOL, value: v3}]}]", "invalid protocol v1, v2. Must be one of [v3]" },
        // Knative (KPA) scaling
        { "m", "{}", Model + "\n  scaleMetric: rps\n  scaleTarget: 0", "the target for rps should be greater than 1" },
        { "m", "{}", Model + "\n  scaleMetric: concurrency\n  scaleTarget: 0", null },
        { "m", "{}", Model + "\n  scaleMetric: cpu", "[cpu] is not a supported metric" },
        { "m", "{}", Model + "\n  deploymentStrategy: {type: Recreate}", "customizing deploymentStrategy is only supported for raw deployment mode" },
        { "m", "{autoscaling.knative.dev/class: hpa.autoscaling.knative.dev}", Model + "\n  scaleMetric: cpu\n  scaleTarget: 50", null },
        { "m", "{autoscaling.knative.dev/class: hpa.autoscaling.knative.dev}", Model + "\n  scaleMetric: rps", "[rps] is not a supported metric" },
        // Standard + HPA
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: hpa}", Model + "\n  scaleMetric: memory\n  scaleTarget: 101", "the target utilization percentage should be a [1-100] integer" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: hpa}", Model + "\n  scaleMetric: memory\n  scaleTarget: 0", "the target memory should be greater than 1 MiB" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: hpa}", Model + "\n  scaleTarget: 0", "the target utilization percentage should be a [1-100] integer" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: hpa}", Model + "\n  scaleMetric: concurrency", "[concurrency] is not a supported metric" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: hpa}", Model + "\n  deploymentStrategy: {type: Recreate}", null },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: hpa}", Model + "\n  autoScaling: {metrics: [{type: External, external: {metric: {query: q}, target: {value: '1'}}}]}", "invalid HPA metric source type with value [External],valid metric source types are Resource" },
        { "m", "{serving.kserve.io/deploymentMode: RawDeployment, serving.kserve.io/autoscalerClass: hpa}", Model + "\n  scaleMetric: memory\n  scaleTarget: 101", "the target utilization percentage should be a [1-100] integer" },
        // Standard without class: nothing checked (quirk)
        { "m", "{serving.kserve.io/deploymentMode: Standard}", Model + "\n  scaleMetric: rps\n  scaleTarget: 500", null },
        // Standard + KEDA
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  scaleMetric: cpu", "ScaleMetric is not supported for KEDA" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  autoScaling: {metrics: [{type: Resource, resource: {name: cpu, target: {type: AverageValue, averageValue: '1'}}}]}", "the cpu target value type should be Utilization" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  autoScaling: {metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 150}}}]}", "the target utilization percentage should be a [1-100] integer" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  autoScaling: {metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization}}}]}", "the AverageUtilization type should be set" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  autoScaling: {metrics: [{type: Resource, resource: {name: memory, target: {type: AverageValue, averageValue: 512Ki}}}]}", "the memory target value should be greater than 1 MiB" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  autoScaling: {metrics: [{type: Resource, resource: {name: memory, target: {type: Value, value: 1Gi}}}]}", "the memory target value type should be AverageValue or Utilization" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  autoScaling: {metrics: [{type: Resource, resource: {name: memory, target: {type: AverageValue, averageValue: 2Gi}}}]}", null },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  autoScaling: {metrics: [{type: External, external: {metric: {backend: prometheus, query: ''}, target: {value: '1'}}}]}", "the query should not be empty" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  autoScaling: {metrics: [{type: External, external: {metric: {backend: prometheus, query: 'rate(x[1m])'}, target: {type: Value}}}]}", "the target threshold value should not be empty" },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  autoScaling: {metrics: [{type: PodMetric, podmetric: {metric: {backend: opentelemetry, query: 'q'}, target: {type: Value, value: '10'}}}]}", null },
        { "m", "{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: keda}", Model + "\n  autoScaling: {metrics: [{type: PodMetric}]}", "metricSpec.PodMetric is not set for pod metric source type" },
        // multi-node
        { "m", "{serving.kserve.io/autoscalerClass: none}", "predictor:\n  model: {modelFormat: {name: huggingface}, storageUri: 'pvc://llm/m'}\n  workerSpec: {pipelineParallelSize: 2}", null },
        { "m", "{serving.kserve.io/autoscalerClass: none}", "predictor:\n  model: {modelFormat: {name: huggingface}, storageUri: 'pvc://llm/m'}\n  workerSpec: {containers: [{name: a, image: i}, {name: b, image: i}]}", "the InferenceService \"m\" is invalid: setting multiple containers in workerSpec is not allowed" },
        { "m", "{serving.kserve.io/autoscalerClass: none}", "predictor:\n  model: {modelFormat: {name: huggingface}, storageUri: 's3://b/m'}\n  workerSpec: {}", "the InferenceService \"m\" is invalid: Multinode only supports 'pvc' and 'oci' Storage Protocol(s3)" },
        { "m", "{serving.kserve.io/autoscalerClass: none}", "predictor:\n  model: {modelFormat: {name: huggingface}}\n  workerSpec: {}", "the InferenceService \"m\" is invalid: StorageURI must be set for multinode enabled" },
        { "m", "{}", "predictor:\n  model: {modelFormat: {name: huggingface}, storageUri: 'pvc://llm/m'}\n  workerSpec: {}", "the InferenceService \"m\" is invalid: Multinode only supports 'none' autoscaler()" },
        { "m", "{serving.kserve.io/autoscalerClass: none}", "predictor:\n  model: {modelFormat: {name: huggingface}, storageUri: 'pvc://llm/m', env: [{name: TENSOR_PARALLEL_SIZE, value: '2'}]}\n  workerSpec: {}", "the InferenceService \"m\" is invalid: setting TENSOR_PARALLEL_SIZE in environment variables is not allowed" },
        { "m", "{serving.kserve.io/autoscalerClass: none}", "predictor:\n  model: {modelFormat: {name: huggingface}, storageUri: 'pvc://llm/m', env: [{name: PIPELINE_PARALLEL_SIZE, value: '2'}]}\n  workerSpec: {}", "the InferenceService \"m\" is invalid: setting PIPELINE_PARALLEL_SIZE in environment variables is not allowed" },
        { "m", "{serving.kserve.io/autoscalerClass: none}", "predictor:\n  model: {modelFormat: {name: huggingface}, storageUri: 'pvc://llm/m', resources: {limits: {example.com/tpu: '1'}}}\n  workerSpec: {}", "the InferenceService \"m\" is invalid: Unknown GPU resource type. Set 'serving.kserve.io/gpu-resource-types' annotation to use custom gpu resource type" },
        { "m", "{serving.kserve.io/autoscalerClass: none, serving.kserve.io/gpu-resource-types: '[\"example.com/tpu\"]'}", "predictor:\n  model: {modelFormat: {name: huggingface}, storageUri: 'pvc://llm/m', resources: {limits: {example.com/tpu: '1'}}}\n  workerSpec: {}", null },
        { "m", "{serving.kserve.io/autoscalerClass: none}", "predictor:\n  model: {modelFormat: {name: huggingface}, storageUri: 'pvc://llm/m'}\n  workerSpec: {tensorParallelSize: 0}", "the InferenceService \"m\" is invalid: WorkerSpec.TensorParallelSize cannot be less than 1(0)" },
        { "m", "{serving.kserve.io/autoscalerClass: none}", "predictor:\n  model: {modelFormat: {name: huggingface}, storageUri: 'pvc://llm/m'}\n  workerSpec: {pipelineParallelSize: 0}", "the InferenceService \"m\" is invalid: WorkerSpec.PipelineParallelSize cannot be less than 1(0)" },
        // confidential
        { "m", "{}", "predictor:\n  model: {modelFormat: {name: sklearn}, confidential: {enabled: true}}", "confidential model serving requires storageUri to be set" },
        { "m", "{}", Model + "\n    confidential: {enabled: true, resourceId: 'kbs:///repo/key/tag-1.0'}", null },
        { "m", "{}", Model + "\n    confidential: {enabled: true, resourceId: 'kbs://repo/key'}", "invalid confidential resourceId format \"kbs://repo/key\", expected kbs:///<repo>/<type>/<tag>" },
        { "m", "{}", Model + "\n    confidential: {enabled: false, resourceId: 'bad'}", null },
        // canary list
        { "m", "{serving.kserve.io/deploymentMode: Standard}", Model + "\ncanary: [{predictor: {name: v2, model: {modelFormat: {name: sklearn}, storageUri: gs://b/m2}}, trafficPercent: 10}]", null },
        { "m", "{}", Model + "\ncanary: [{predictor: {name: v2}, trafficPercent: 10}]", "spec.canary is only supported in Standard deployment mode" },
        { "m", "{serving.kserve.io/deploymentMode: Standard}", Model + "\ncanary: [{predictor: {model: {modelFormat: {name: sklearn}}}, trafficPercent: 10}]", "spec.canary[0].predictor.name is required" },
        { "m", "{serving.kserve.io/deploymentMode: Standard}", Model + "\ncanary: [{predictor: {name: a}, trafficPercent: 60}, {predictor: {name: a}, trafficPercent: 10}]", "spec.canary[1].predictor.name \"a\" is not unique" },
        { "m", "{serving.kserve.io/deploymentMode: Standard}", Model + "\ncanary: [{predictor: {name: a}, trafficPercent: 60}, {predictor: {name: b}, trafficPercent: 50}]", "the sum of spec.canary[].trafficPercent (110) cannot exceed 100" },
        { "m", "{serving.kserve.io/deploymentMode: Standard}", Model + "\ncanary: [{predictor: {name: a, maxReplicas: 3}, trafficPercent: 10}]", "spec.canary[0].predictor may not set maxReplicas, scaleTarget, scaleMetric or autoScaling: canaries follow the stable predictor's autoscaling" },
        { "m", "{serving.kserve.io/deploymentMode: Standard}", Model + "\ncanary: [{predictor: {name: a, minReplicas: 2}, trafficPercent: 10}]", "spec.canary[0].predictor.minReplicas (2) cannot exceed the stable predictor's minReplicas (1)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValidateCreate(string name, string annotations, string spec, string? expected)
    {
        var verdict = InferenceServiceValidator.ValidateCreate(Build(name, annotations, spec));
        Assert.Equal(expected, verdict.Error);
    }

    [Fact]
    public void Confidential_OciUri_Warns()
    {
        var verdict = InferenceServiceValidator.ValidateCreate(Build("m", "{}", "predictor:\n  model: {modelFormat: {name: sklearn}, storageUri: 'oci://r/m:1', confidential: {enabled: true}}"));
        Assert.True(verdict.IsAllowed);
        Assert.Equal(["confidential has no effect with OCI URIs; OCI image decryption is handled by the container runtime via runtimeClassName"], verdict.Warnings);
    }

    [Theory]
    [InlineData("Serverless", "Standard", "update rejected: deploymentMode cannot be changed from 'Knative' to 'Standard'")]
    [InlineData("RawDeployment", "Knative", "update rejected: deploymentMode cannot be changed from 'Standard' to 'Knative'")]
    [InlineData("Knative", "Knative", null)]
    [InlineData("Serverless", "Serverless", null)]
    [InlineData("", "Standard", null)]
    public void ValidateUpdate_DeploymentModeSticky(string statusMode, string annotation, string? expected)
    {
        var old = Build("m", "{}", Model);
        old.Status = new InferenceServiceStatus { DeploymentMode = statusMode };
        var updated = TestManifests.Parse<InferenceService>($$"""
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: m
              annotations:
                serving.kserve.io/deploymentMode: {{annotation}}
            spec:
              predictor:
                model: {modelFormat: {name: sklearn}, storageUri: gs://b/m}
            """);
        // Validated as stored: the webhook sees the mutated object (Serverless normalized to Knative).
        new InferenceServiceDefaulter(InferenceServiceConfig.Default).Default(updated);
        Assert.Equal(expected, InferenceServiceValidator.ValidateUpdate(updated, old).Error);
    }

    [Theory]
    [InlineData("gs://b/m", "gs://b/m2", null)]
    [InlineData("gs://b/m", "gs://b/m", "update rejected: predictor name cannot be changed from 'blue' to 'green' without changing the predictor storageUri")]
    public void ValidateUpdate_PredictorNameNeedsNewStorage(string oldUri, string newUri, string? expected)
    {
        var old = Build("m", "{}", $"predictor:\n  name: blue\n  model: {{modelFormat: {{name: sklearn}}, storageUri: '{oldUri}'}}");
        var updated = Build("m", "{}", $"predictor:\n  name: green\n  model: {{modelFormat: {{name: sklearn}}, storageUri: '{newUri}'}}");
        Assert.Equal(expected, InferenceServiceValidator.ValidateUpdate(updated, old).Error);
    }
}
