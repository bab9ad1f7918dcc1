namespace ServeSharp.Abstractions;

/// <summary>
/// Error categories shared by all protocols; the protocol layer maps each to an HTTP status and a gRPC code
/// (see protocol.md §1.2).
/// </summary>
public enum InferenceErrorKind
{
    /// <summary>The request is malformed or does not fit the model: HTTP 400, gRPC INVALID_ARGUMENT.</summary>
    InvalidInput,
    /// <summary>The model failed while predicting: HTTP 500, gRPC INTERNAL.</summary>
    InferenceFailed,
    /// <summary>No model of that name: HTTP 404, gRPC NOT_FOUND.</summary>
    ModelNotFound,
    /// <summary>The model is loading, failed to load or is unloading: HTTP 503, gRPC UNAVAILABLE.</summary>
    ModelNotReady,
    /// <summary>The operation is not available (e.g. explain without an explainer): HTTP 501, gRPC UNIMPLEMENTED.</summary>
    NotImplemented,
    /// <summary>The server is shutting down or not ready: HTTP 503, gRPC UNAVAILABLE.</summary>
    ServerNotReady,
    /// <summary>The request body is larger than the configured limit: HTTP 413, gRPC RESOURCE_EXHAUSTED.</summary>
    PayloadTooLarge,
}
