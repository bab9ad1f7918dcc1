using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using ServeSharp.Protocol.Grpc;
using ServeSharp.Server.Hosting;

namespace ServeSharp.Server.Grpc;

/// <summary>
/// Answers the usual unary <c>ModelInfer</c> call — HTTP/2, <c>application/grpc</c>, no deadline, no compression, one
/// uncompressed message of at most <see cref="MaxMessageSize"/> that <see cref="ModelInferMarshallers.TryDecode"/>
/// reads — straight from Kestrel, without Grpc.AspNetCore's per-call machinery (endpoint routing, call context,
/// service scope, serialization contexts, a flush before the trailers), which cost a small model about a tenth of its
/// throughput. The answer is the same on the wire: the response message then <c>grpc-status: 0</c> in the trailers, or
/// a trailers-only error with the status <see cref="GrpcCallGuard"/> gives, <c>x-request-id</c> echoed either way.
/// Any other call, or a request body it cannot take, goes on to the gRPC service untouched: the body is only examined
/// here, never consumed, until the call is taken.
/// </summary>
internal sealed class ModelInferFastPath(DataPlane dataPlane, GrpcCallGuard guard, ModelServerOptions options)
{
    /// <summary>Largest request message answered here (larger ones take the gRPC service's path).</summary>
    public const int MaxMessageSize = 64 * 1024;

    private const string Method = "/inference.GRPCInferenceService/ModelInfer";
    private const string GrpcContentType = "application/grpc";
    private const int PrefixLength = 5;

    public Task InvokeAsync(HttpContext context, RequestDelegate next) =>
        IsPlainCall(context.Request) ? HandleAsync(context, next) : next(context);

    /// <summary>Whether the request's headers allow answering it here.</summary>
    internal static bool IsPlainCall(HttpRequest request) =>
        string.Equals(request.Path.Value, Method, StringComparison.Ordinal)
        && HttpMethods.IsPost(request.Method)
        && HttpProtocol.IsHttp2(request.Protocol)
        && (string.Equals(request.ContentType, GrpcContentType, StringComparison.OrdinalIgnoreCase)
            || string.Equals(request.ContentType, "application/grpc+proto", StringComparison.OrdinalIgnoreCase))
        && !request.Headers.ContainsKey("grpc-timeout")
        && (!request.Headers.TryGetValue("grpc-encoding", out var encoding) || encoding == "identity");

    private async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        var reader = context.Request.BodyReader;
        ReadResult read;
        try
        {
            while (true)
            {
                read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
                if (read.IsCompleted || read.IsCanceled || read.Buffer.Length > PrefixLength + MaxMessageSize)
                {
                    break;
                }

                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client reset the stream: nobody is left to answer
        }

        var call = read.IsCompleted ? TryReadCall(read.Buffer) : null;
        if (call is null)
        {
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            await next(context).ConfigureAwait(false);
            return;
        }

        reader.AdvanceTo(read.Buffer.End);
        await AnswerAsync(context, call).ConfigureAwait(false);
    }

    /// <summary>The call in a complete request body holding exactly one uncompressed message; null otherwise.</summary>
    private ModelInferCall? TryReadCall(ReadOnlySequence<byte> body)
    {
        if (body.Length < PrefixLength)
        {
            return null;
        }

        ReadOnlySpan<byte> prefix = body.FirstSpan;
        if (prefix.Length < PrefixLength)
        {
            Span<byte> copy = new byte[PrefixLength];
            body.Slice(0, PrefixLength).CopyTo(copy);
            prefix = copy;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
        return prefix[0] == 0 && length == body.Length - PrefixLength && length <= options.GrpcMaxReceiveMessageSize
            ? ModelInferMarshallers.TryDecode(body.Slice(PrefixLength))
            : null;
    }

    private async Task AnswerAsync(HttpContext context, ModelInferCall call)
    {
        var response = context.Response;
        var requestId = GrpcCallGuard.RequestId(context.Request);
        ModelInferReply reply;
        int size;
        try
        {
            reply = await InferenceGrpcService.InferAsync(dataPlane, call, new GrpcHeaderView(context.Request.Headers), context.RequestAborted)
                .ConfigureAwait(false);
            size = ModelInferMarshallers.GetMessageSize(reply);
            if (size > options.GrpcMaxSendMessageSize)
            {
                // Grpc.AspNetCore's status and message for the same case.
                throw new RpcException(new Status(StatusCode.ResourceExhausted, "Sending message exceeds the maximum configured message size."));
            }
        }
        catch (Exception e)
        {
            WriteTrailersOnly(response, guard.ToStatus(e, Method, context.RequestAborted), requestId);
            return;
        }

        guard.CountSucceeded();
        response.ContentType = GrpcContentType;
        var writer = response.BodyWriter;
        var span = writer.GetSpan(PrefixLength + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        ModelInferMarshallers.WriteMessage(reply, span.Slice(PrefixLength, size));
        writer.Advance(PrefixLength + size);
        if (requestId is not null)
        {
            response.AppendTrailer(GrpcCallGuard.RequestIdHeader, requestId);
        }

        // Not flushed: Kestrel sends the headers, the message and the trailers together when the call returns.
        response.AppendTrailer("grpc-status", "0");
    }

    /// <summary>An error before any response: status, message and request id in the only HEADERS frame, as gRPC's trailers-only form.</summary>
    private static void WriteTrailersOnly(HttpResponse response, Status status, string? requestId)
    {
        response.ContentType = GrpcContentType; // Kestrel adds content-length: 0, as Grpc.AspNetCore's answer has
        if (requestId is not null)
        {
            response.Headers[GrpcCallGuard.RequestIdHeader] = requestId;
        }

        response.Headers["grpc-status"] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            response.Headers["grpc-message"] = GrpcMessageEncoding.Encode(status.Detail);
        }
    }
}
