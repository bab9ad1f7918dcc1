namespace ServeSharp.Server.Rest.CloudEvents;

/// <summary>
/// How V1 responses to CloudEvent requests are labelled, as KServe's <c>CE_TYPE</c>, <c>CE_SOURCE</c> and
/// <c>CE_MERGE</c> environment variables set them.
/// </summary>
public sealed class CloudEventOptions
{
    /// <summary>KServe's default response event type.</summary>
    public const string DefaultType = "io.kserve.inference.response";

    /// <summary>The response's <c>type</c> attribute (<c>CE_TYPE</c>).</summary>
    public string Type { get; set; } = DefaultType;

    /// <summary>The response's <c>source</c> attribute (<c>CE_SOURCE</c>); null means <c>io.kserve.inference.{model}</c>.</summary>
    public string? Source { get; set; }

    /// <summary>Copy the request event's attributes and extensions into the response (<c>CE_MERGE=true</c>).</summary>
    public bool Merge { get; set; }

    /// <summary>Reads <c>CE_TYPE</c>, <c>CE_SOURCE</c> and <c>CE_MERGE</c> as KServe does.</summary>
    public static CloudEventOptions FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        return new CloudEventOptions
        {
            Type = getVariable("CE_TYPE") is { Length: > 0 } type ? type : DefaultType,
            Source = getVariable("CE_SOURCE") is { Length: > 0 } source ? source : null,
            Merge = string.Equals(getVariable("CE_MERGE"), "true", StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>The response source for a model.</summary>
    public string SourceFor(string modelName) => Source ?? $"io.kserve.inference.{modelName}";
}
