namespace ServeSharp.Server.Rest.CloudEvents;

/// <summary>How a request carried a CloudEvent (CloudEvents 1.0 HTTP binding).</summary>
internal enum CloudEventMode
{
    /// <summary>Not a CloudEvent.</summary>
    None,

    /// <summary>Attributes in <c>ce-*</c> headers, data in the body.</summary>
    Binary,

    /// <summary>The whole event as one JSON object in the body (<c>application/cloudevents+json</c>).</summary>
    Structured,
}
