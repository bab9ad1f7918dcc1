using System.Buffers;
using Grpc.Core;
using Wire = ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Protocol.Grpc;

/// <summary>
/// The <c>inference.GRPCInferenceService/ModelInfer</c> method with marshallers that read the usual request
/// (<see cref="ModelInferCallDecoder"/>) and write the usual response (<see cref="ModelInferReplyEncoder"/>) without
/// the generated message graph. Whatever they do not handle goes through the generated parser and serializer, exactly
/// as the generated method's marshallers do, so the bytes on the wire are the same either way.
/// </summary>
public static class ModelInferMarshallers
{
    /// <summary>Requests up to this size that arrive in several buffer segments are copied into one for decoding.</summary>
    private const int MaxCopiedRequest = 64 * 1024;

    /// <summary>Request marshaller.</summary>
    public static Marshaller<ModelInferCall> Request { get; } = Marshallers.Create<ModelInferCall>(SerializeCall, DeserializeCall);

    /// <summary>Response marshaller.</summary>
    public static Marshaller<ModelInferReply> Response { get; } = Marshallers.Create<ModelInferReply>(SerializeReply, DeserializeReply);

    /// <summary>The ModelInfer method (unary), as the generated service declares it.</summary>
    public static Method<ModelInferCall, ModelInferReply> ModelInfer { get; } =
        new(MethodType.Unary, "inference.GRPCInferenceService", "ModelInfer", Request, Response);

    /// <summary>Reads a request: directly when <see cref="ModelInferCallDecoder"/> can, else with the generated parser.</summary>
    public static ModelInferCall DeserializeCall(DeserializationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = context.PayloadAsReadOnlySequence();
        return TryDecode(payload) ?? new ModelInferCall(Wire.ModelInferRequest.Parser.ParseFrom(payload));
    }

    /// <summary>Writes an answer: directly when it holds an encodable response, else the generated message.</summary>
    public static void SerializeReply(ModelInferReply reply, SerializationContext context)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(context);
        if (reply.Response is not null)
        {
            var size = reply.Size;
            context.SetPayloadLength(size);
            var writer = context.GetBufferWriter();
            WriteMessage(reply, writer.GetSpan(size)[..size]);
            writer.Advance(size);
            context.Complete();
            return;
        }

        var message = reply.Message!;
        context.SetPayloadLength(message.CalculateSize());
        Google.Protobuf.MessageExtensions.WriteTo(message, context.GetBufferWriter());
        context.Complete();
    }

    /// <summary>
    /// Reads a request message the way <see cref="ModelInferCallDecoder"/> can (the usual request: typed contents, no
    /// parameters or requested outputs); null for anything that needs the generated parser, or that is malformed.
    /// </summary>
    public static ModelInferCall? TryDecode(ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            return ModelInferCallDecoder.TryDecode(payload.FirstSpan);
        }

        if (payload.Length > MaxCopiedRequest)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        try
        {
            payload.CopyTo(buffer);
            return ModelInferCallDecoder.TryDecode(buffer.AsSpan(0, (int)payload.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The size of <paramref name="reply"/>'s message on the wire (without gRPC's 5-byte message prefix).</summary>
    public static int GetMessageSize(ModelInferReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return reply.Response is null ? reply.Message!.CalculateSize() : reply.Size;
    }

    /// <summary>Writes <paramref name="reply"/>'s message: exactly <see cref="GetMessageSize"/> bytes.</summary>
    public static void WriteMessage(ModelInferReply reply, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.Response is { } response)
        {
            ModelInferReplyEncoder.Write(response, destination);
        }
        else
        {
            Google.Protobuf.MessageExtensions.WriteTo(reply.Message!, destination);
        }
    }

    // The client side (tests, tools): the generated message both ways.
    private static void SerializeCall(ModelInferCall call, SerializationContext context)
    {
        var message = call.Message ?? throw new NotSupportedException("Only a ModelInferCall wrapping a generated message can be sent.");
        context.SetPayloadLength(message.CalculateSize());
        Google.Protobuf.MessageExtensions.WriteTo(message, context.GetBufferWriter());
        context.Complete();
    }

    private static ModelInferReply DeserializeReply(DeserializationContext context) =>
        ModelInferReply.FromMessage(Wire.ModelInferResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
