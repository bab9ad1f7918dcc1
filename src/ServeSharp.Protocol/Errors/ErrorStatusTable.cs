using Grpc.Core;
using ServeSharp.Abstractions;

namespace ServeSharp.Protocol.Errors;

/// <summary>
/// The one place that maps <see cref="InferenceErrorKind"/> to an HTTP status and a gRPC status code
/// (protocol.md §1.2, using the intended codes where KServe's interceptor is broken).
/// </summary>
public static class ErrorStatusTable
{
    /// <summary>HTTP status code for <paramref name="kind"/>.</summary>
    public static int ToHttpStatus(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidInput => 400,
        InferenceErrorKind.InferenceFailed => 500,
        InferenceErrorKind.ModelNotFound => 404,
        InferenceErrorKind.ModelNotReady => 503,
        InferenceErrorKind.NotImplemented => 501,
        InferenceErrorKind.ServerNotReady => 503,
        InferenceErrorKind.PayloadTooLarge => 413,
        _ => 500,
    };

    /// <summary>gRPC status code for <paramref name="kind"/>.</summary>
    public static StatusCode ToGrpcStatus(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidInput => StatusCode.InvalidArgument,
        InferenceErrorKind.InferenceFailed => StatusCode.Internal,
        InferenceErrorKind.ModelNotFound => StatusCode.NotFound,
        InferenceErrorKind.ModelNotReady => StatusCode.Unavailable,
        InferenceErrorKind.NotImplemented => StatusCode.Unimplemented,
        InferenceErrorKind.ServerNotReady => StatusCode.Unavailable,
        InferenceErrorKind.PayloadTooLarge => StatusCode.ResourceExhausted,
        _ => StatusCode.Internal,
    };

    /// <summary>
    /// The message for an exception that is not an <see cref="InferenceException"/>: KServe's
    /// <c>&lt;ExceptionTypeName&gt; : &lt;message&gt;</c> form (no stack trace).
    /// </summary>
    public static string DescribeUnexpected(Exception exception) =>
        $"{exception.GetType().Name} : {exception.Message}";
}
