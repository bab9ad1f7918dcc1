namespace ServeSharp.Control.Api;

/// <summary>API group, versions and kind names of the KServe resources.</summary>
public static class KServeGroup
{
    /// <summary>The API group.</summary>
    public const string Name = "serving.kserve.io";
    /// <summary><c>serving.kserve.io/v1beta1</c>.</summary>
    public const string V1Beta1 = Name + "/v1beta1";
    /// <summary><c>serving.kserve.io/v1alpha1</c>.</summary>
    public const string V1Alpha1 = Name + "/v1alpha1";

    /// <summary>Kind names.</summary>
    public const string InferenceServiceKind = "InferenceService";
    /// <summary>Kind name.</summary>
    public const string ServingRuntimeKind = "ServingRuntime";
    /// <summary>Kind name.</summary>
    public const string ClusterServingRuntimeKind = "ClusterServingRuntime";
    /// <summary>Kind name.</summary>
    public const string TrainedModelKind = "TrainedModel";
    /// <summary>Kind name.</summary>
    public const string InferenceGraphKind = "InferenceGraph";
    /// <summary>Kind name.</summary>
    public const string ClusterStorageContainerKind = "ClusterStorageContainer";
}
