using System.Text.Json.Serialization;

namespace ServeSharp.Control.Api.V1Beta1;

/// <summary><c>logger</c>: payload logging.</summary>
public sealed record LoggerSpec
{
    /// <summary>Sink URL (default <c>logger.defaultUrl</c>).</summary>
    [JsonPropertyName("url")]
    public string? Url { get; set; }

    /// <summary>all, request or response (an empty mode is rejected by the webhook).</summary>
    [JsonPropertyName("mode")]
    [SchemaEnum("all", "request", "response")]
    public string? Mode { get; set; }

    /// <summary>Request headers copied into the log event.</summary>
    [JsonPropertyName("metadataHeaders")]
    public IList<string>? MetadataHeaders { get; set; }

    /// <summary>Isvc annotations copied into the log event.</summary>
    [JsonPropertyName("metadataAnnotations")]
    public IList<string>? MetadataAnnotations { get; set; }

    /// <summary>Blob storage sink.</summary>
    [JsonPropertyName("storage")]
    public LoggerStorageSpec? Storage { get; set; }

    /// <summary>Marshaller URL (default http://localhost:9083/marshal).</summary>
    [JsonPropertyName("marshallerUrl")]
    public string? MarshallerUrl { get; set; }

    /// <summary>Events per batch (default 1).</summary>
    [JsonPropertyName("batchSize")]
    public int? BatchSize { get; set; }

    /// <summary>Flush interval, a Go duration such as "5s".</summary>
    [JsonPropertyName("batchInterval")]
    [SchemaDuration]
    public string? BatchInterval { get; set; }
}

/// <summary><c>logger.storage</c>.</summary>
public sealed record LoggerStorageSpec
{
    /// <summary>Path.</summary>
    [JsonPropertyName("path")]
    public string? Path { get; set; }

    /// <summary>Parameters.</summary>
    [JsonPropertyName("parameters")]
    public IDictionary<string, string>? Parameters { get; set; }

    /// <summary>Secret key.</summary>
    [JsonPropertyName("key")]
    public string? Key { get; set; }

    /// <summary>Service account.</summary>
    [JsonPropertyName("serviceAccountName")]
    public string? ServiceAccountName { get; set; }
}

/// <summary><c>batcher</c>.</summary>
public sealed record BatcherSpec
{
    /// <summary>Maximum batch size (agent default 32).</summary>
    [JsonPropertyName("maxBatchSize")]
    public int? MaxBatchSize { get; set; }

    /// <summary>Maximum latency in ms (agent default 5000).</summary>
    [JsonPropertyName("maxLatency")]
    public int? MaxLatency { get; set; }

    /// <summary>Declared by KServe but never wired.</summary>
    [JsonPropertyName("timeout")]
    public int? Timeout { get; set; }
}
