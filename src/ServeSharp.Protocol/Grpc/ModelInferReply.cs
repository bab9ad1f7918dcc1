using ServeSharp.Abstractions;
using Wire = ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Protocol.Grpc;

/// <summary>
/// A <c>ModelInfer</c> answer for the gRPC marshaller (<see cref="ModelInferMarshallers"/>): the response itself,
/// written straight to the wire by <see cref="ModelInferReplyEncoder"/> when it can be (the same bytes the generated
/// message would give), otherwise the generated <see cref="Wire.ModelInferResponse"/> from
/// <see cref="GrpcResponseConverter"/>.
/// </summary>
public sealed class ModelInferReply
{
    private ModelInferReply(InferenceResponse? response, Wire.ModelInferResponse? message, int size = 0)
    {
        Response = response;
        Message = message;
        Size = size;
    }

    /// <summary>The response to encode directly; null when <see cref="Message"/> is set.</summary>
    public InferenceResponse? Response { get; }

    /// <summary>The generated message; null when <see cref="Response"/> is encoded directly.</summary>
    public Wire.ModelInferResponse? Message { get; }

    /// <summary>The encoded size of <see cref="Response"/> (<see cref="ModelInferReplyEncoder.GetSize"/>).</summary>
    internal int Size { get; }

    /// <summary>
    /// The answer to <paramref name="response"/>, with <see cref="GrpcResponseConverter.ToGrpc"/>'s choice of raw or
    /// typed contents.
    /// </summary>
    public static ModelInferReply Create(InferenceResponse response, bool requestUsedRaw)
    {
        ArgumentNullException.ThrowIfNull(response);
        return ModelInferReplyEncoder.TryGetSize(response, requestUsedRaw, out var size)
            ? new ModelInferReply(response, null, size)
            : new ModelInferReply(null, GrpcResponseConverter.ToGrpc(response, requestUsedRaw));
    }

    /// <summary>Wraps a generated message (the client side of the marshaller).</summary>
    public static ModelInferReply FromMessage(Wire.ModelInferResponse message) =>
        new(null, message ?? throw new ArgumentNullException(nameof(message)));

    /// <summary>The answer as the generated message (parsed or converted on demand; for tests and clients).</summary>
    public Wire.ModelInferResponse ToMessage() => Message ?? GrpcResponseConverter.ToGrpc(Response!, requestUsedRaw: false);
}
