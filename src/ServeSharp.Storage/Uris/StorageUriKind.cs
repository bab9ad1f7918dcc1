namespace ServeSharp.Storage.Uris;

/// <summary>Which handler a storage URI dispatches to (KServe's order, see <see cref="StorageUriClassifier"/>).</summary>
public enum StorageUriKind
{
    /// <summary>A local path or <c>file://</c> URI: top-level entries are linked, not copied.</summary>
    Local,

    /// <summary><c>pvc://claim/path</c>, resolved through the configured claim map.</summary>
    Pvc,

    /// <summary>Starts with <c>/mnt/models</c>: nothing to download (the model agent fills it).</summary>
    ModelMount,

    /// <summary><c>gs://bucket/path</c>.</summary>
    Gcs,

    /// <summary><c>s3://bucket/path</c>.</summary>
    S3,

    /// <summary>Azure Blob Storage URL.</summary>
    AzureBlob,

    /// <summary><c>hf://owner/model[:revision]</c>.</summary>
    HuggingFace,

    /// <summary>Plain <c>http(s)://host/path/file</c>.</summary>
    Http,
}
