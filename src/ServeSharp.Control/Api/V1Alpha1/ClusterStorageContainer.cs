using System.Text.Json.Serialization;
using k8s.Models;

namespace ServeSharp.Control.Api.V1Alpha1;

/// <summary><c>serving.kserve.io/v1alpha1</c> ClusterStorageContainer: a storage-initializer container for a set of URI formats.</summary>
public sealed record ClusterStorageContainer : KServeResource
{
    /// <summary>Creates an empty object with apiVersion and kind set.</summary>
    public ClusterStorageContainer()
    {
        ApiVersion = KServeGroup.V1Alpha1;
        Kind = KServeGroup.ClusterStorageContainerKind;
    }

    /// <summary>Spec.</summary>
    [JsonPropertyName("spec")]
    [SchemaRequired]
    public StorageContainerSpec Spec { get; set; } = new();

    /// <summary>Disabled containers are never chosen.</summary>
    [JsonPropertyName("disabled")]
    public bool? Disabled { get; set; }
}

/// <summary>ClusterStorageContainer spec.</summary>
public sealed record StorageContainerSpec
{
    /// <summary>The container (required).</summary>
    [JsonPropertyName("container")]
    [SchemaRequired]
    public V1Container? Container { get; set; }

    /// <summary>URI formats (required).</summary>
    [JsonPropertyName("supportedUriFormats")]
    [SchemaRequired]
    public IList<SupportedUriFormat>? SupportedUriFormats { get; set; }

    /// <summary>initContainer (default) or localModelDownloadJob.</summary>
    [JsonPropertyName("workloadType")]
    [SchemaEnum("initContainer", "localModelDownloadJob")]
    public string? WorkloadType { get; set; }

    /// <summary>Supports <c>storageUris</c>.</summary>
    [JsonPropertyName("supportsMultiModelDownload")]
    public bool? SupportsMultiModelDownload { get; set; }
}

/// <summary>A prefix or a regex.</summary>
public sealed record SupportedUriFormat
{
    /// <summary>URI prefix.</summary>
    [JsonPropertyName("prefix")]
    public string? Prefix { get; set; }

    /// <summary>URI regex.</summary>
    [JsonPropertyName("regex")]
    public string? Regex { get; set; }
}
