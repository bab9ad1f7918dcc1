using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Errors;
using ServeSharp.Server.Logging;
using ServeSharp.Server.Metrics;

namespace ServeSharp.Server.Grpc;

/// <summary>
/// Turns data-plane errors into gRPC statuses via <see cref="ErrorStatusTable"/> (unexpected errors become
/// <c>INTERNAL</c> with no stack trace), echoes <c>x-request-id</c> and counts every call by status.
/// </summary>
internal sealed class GrpcErrorInterceptor(ServerMetrics metrics, ILogger<GrpcErrorInterceptor> logger) : Interceptor
{
    private const string RequestIdHeader = "x-request-id";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        EchoRequestId(context);
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            metrics.CountRequest("grpc", nameof(StatusCode.OK));
            return response;
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        EchoRequestId(context);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            metrics.CountRequest("grpc", nameof(StatusCode.OK));
        }
        catch (Exception e)
        {
            throw Translate(e, context);
        }
    }

    private static void EchoRequestId(ServerCallContext context)
    {
        var id = context.RequestHeaders.Get(RequestIdHeader);
        if (id is { IsBinary: false })
        {
            context.ResponseTrailers.Add(RequestIdHeader, id.Value);
        }
    }

    private RpcException Translate(Exception exception, ServerCallContext context)
    {
        var status = exception switch
        {
            RpcException rpc => rpc.Status,
            InferenceException e => new Status(ErrorStatusTable.ToGrpcStatus(e.Kind), e.Message),
            OperationCanceledException when context.CancellationToken.IsCancellationRequested => new Status(StatusCode.Cancelled, "The call was cancelled."),
            _ => new Status(StatusCode.Internal, ErrorStatusTable.DescribeUnexpected(exception)),
        };
        if (exception is not (RpcException or InferenceException or OperationCanceledException))
        {
            ServerLog.UnhandledError(logger, context.Method, exception);
        }

        metrics.CountRequest("grpc", status.StatusCode.ToString());
        return new RpcException(status);
    }
}
