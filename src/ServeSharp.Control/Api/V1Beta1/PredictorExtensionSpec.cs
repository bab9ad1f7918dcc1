using System.Text.Json.Serialization;
using k8s.Models;

namespace ServeSharp.Control.Api.V1Beta1;

/// <summary>
/// Shared by every framework key and by <c>model</c>: storage location, runtime version, protocol, and an inline
/// container whose fields override the runtime's <c>kserve-container</c>.
/// </summary>
public record PredictorExtensionSpec : V1Container
{
    /// <summary>Model location.</summary>
    [JsonPropertyName("storageUri")]
    public string? StorageUri { get; set; }

    /// <summary>Replaces the runtime image tag.</summary>
    [JsonPropertyName("runtimeVersion")]
    public string? RuntimeVersion { get; set; }

    /// <summary>v1, v2, grpc-v1 or grpc-v2.</summary>
    [JsonPropertyName("protocolVersion")]
    [SchemaEnum("v1", "v2", "grpc-v1", "grpc-v2")]
    public string? ProtocolVersion { get; set; }

    /// <summary>Storage spec instead of a URI.</summary>
    [JsonPropertyName("storage")]
    public ModelStorageSpec? Storage { get; set; }

    /// <summary>Confidential model serving.</summary>
    [JsonPropertyName("confidential")]
    public ConfidentialSpec? Confidential { get; set; }

    /// <summary><c>GetProtocol()</c>: the protocol, or v1 when unset (matters for auto-selection).</summary>
    public string EffectiveProtocol() => string.IsNullOrEmpty(ProtocolVersion) ? InferenceProtocolVersion.V1 : ProtocolVersion;
}

/// <summary><c>predictor.model</c>: a model format plus an optional runtime name.</summary>
public sealed record ModelSpec : PredictorExtensionSpec
{
    /// <summary>The model format (required).</summary>
    [JsonPropertyName("modelFormat")]
    [SchemaRequired]
    public ModelFormat? ModelFormat { get; set; }

    /// <summary>ServingRuntime / ClusterServingRuntime name.</summary>
    [JsonPropertyName("runtime")]
    public string? Runtime { get; set; }

    /// <summary>Copies the extension fields and container of a legacy framework key into a new model spec.</summary>
    public static ModelSpec FromExtension(PredictorExtensionSpec source, string formatName)
    {
        ArgumentNullException.ThrowIfNull(source);
        var json = Serialization.KubeJson.SerializeToNode(source);
        var model = Serialization.KubeJson.Deserialize<ModelSpec>(json);
        model.ModelFormat = new ModelFormat { Name = formatName };
        return model;
    }
}

/// <summary><c>modelFormat</c>: name and optional version.</summary>
public sealed record ModelFormat
{
    /// <summary>Format name, e.g. sklearn (required).</summary>
    [JsonPropertyName("name")]
    [SchemaRequired]
    public string? Name { get; set; }

    /// <summary>"major", "major.minor" or "major.minor.patch".</summary>
    [JsonPropertyName("version")]
    public string? Version { get; set; }
}

/// <summary><c>storage</c>: a key into the storage-config secret plus path and parameter overrides.</summary>
public sealed record ModelStorageSpec
{
    /// <summary>Path inside the bucket.</summary>
    [JsonPropertyName("path")]
    public string? Path { get; set; }

    /// <summary>Path of the model schema file.</summary>
    [JsonPropertyName("schemaPath")]
    public string? SchemaPath { get; set; }

    /// <summary>Overrides of the stored storage config.</summary>
    [JsonPropertyName("parameters")]
    public IDictionary<string, string>? Parameters { get; set; }

    /// <summary>Key in the storage secret.</summary>
    [JsonPropertyName("key")]
    public string? Key { get; set; }
}

/// <summary><c>confidential</c>.</summary>
public sealed record ConfidentialSpec
{
    /// <summary>Enables confidential serving (required).</summary>
    [JsonPropertyName("enabled")]
    [SchemaRequired]
    public bool? Enabled { get; set; }

    /// <summary>KBS resource id <c>kbs:///repo/type/tag</c>.</summary>
    [JsonPropertyName("resourceId")]
    public string? ResourceId { get; set; }
}
