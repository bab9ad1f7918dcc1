using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using ServeSharp.Protocol.Grpc;
using ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Server.Grpc;

/// <summary>
/// Binds <see cref="InferenceGrpcService"/>'s methods: every method of <c>inference.GRPCInferenceService</c> with
/// marshallers that read and write exactly what the generated ones do, except <c>ModelInfer</c>, which uses
/// <see cref="ModelInferMarshallers"/> (the same messages on the wire, read and written without the generated message
/// graph). Replaces Grpc.AspNetCore's reflection-based binding, which needs the service to derive from the generated
/// base class. The methods are added with their types spelled out rather than through the generated
/// <c>BindService</c>: its calls are generic virtual methods, which the natively compiled server resolves at run time
/// through the type loader, a noticeable part of start-up.
/// </summary>
internal sealed class InferenceGrpcMethodProvider : IServiceMethodProvider<InferenceGrpcService>
{
    private const string ServiceName = "inference.GRPCInferenceService";

    private static readonly List<object> NoMetadata = [];

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<InferenceGrpcService> context)
    {
        Unary(context, "ServerLive", ServerLiveRequest.Parser, ServerLiveResponse.Parser, static (s, r, c) => s.ServerLive(r, c));
        Unary(context, "ServerReady", ServerReadyRequest.Parser, ServerReadyResponse.Parser, static (s, r, c) => s.ServerReady(r, c));
        Unary(context, "ModelReady", ModelReadyRequest.Parser, ModelReadyResponse.Parser, static (s, r, c) => s.ModelReady(r, c));
        Unary(context, "ServerMetadata", ServerMetadataRequest.Parser, ServerMetadataResponse.Parser, static (s, r, c) => s.ServerMetadata(r, c));
        Unary(context, "ModelMetadata", ModelMetadataRequest.Parser, ModelMetadataResponse.Parser, static (s, r, c) => s.ModelMetadata(r, c));
        context.AddUnaryMethod(ModelInferMarshallers.ModelInfer, NoMetadata, static (s, r, c) => s.ModelInfer(r, c));
        context.AddDuplexStreamingMethod(
            new Method<ModelInferRequest, ModelStreamInferResponse>(
                MethodType.DuplexStreaming, ServiceName, "ModelStreamInfer", Marshaller(ModelInferRequest.Parser), Marshaller(ModelStreamInferResponse.Parser)),
            NoMetadata,
            static (s, r, w, c) => s.ModelStreamInfer(r, w, c));
        Unary(context, "RepositoryIndex", RepositoryIndexRequest.Parser, RepositoryIndexResponse.Parser, static (s, r, c) => s.RepositoryIndex(r, c));
        Unary(context, "RepositoryModelLoad", RepositoryModelLoadRequest.Parser, RepositoryModelLoadResponse.Parser, static (s, r, c) => s.RepositoryModelLoad(r, c));
        Unary(context, "RepositoryModelUnload", RepositoryModelUnloadRequest.Parser, RepositoryModelUnloadResponse.Parser, static (s, r, c) => s.RepositoryModelUnload(r, c));
    }

    private static void Unary<TRequest, TResponse>(
        ServiceMethodProviderContext<InferenceGrpcService> context,
        string name,
        MessageParser<TRequest> requestParser,
        MessageParser<TResponse> responseParser,
        UnaryServerMethod<InferenceGrpcService, TRequest, TResponse> invoker)
        where TRequest : class, IMessage<TRequest>, IBufferMessage
        where TResponse : class, IMessage<TResponse>, IBufferMessage =>
        context.AddUnaryMethod(
            new Method<TRequest, TResponse>(MethodType.Unary, ServiceName, name, Marshaller(requestParser), Marshaller(responseParser)),
            NoMetadata,
            invoker);

    /// <summary>What the generated code's marshallers do for buffer messages: size, write into the payload; parse the payload.</summary>
    private static Marshaller<T> Marshaller<T>(MessageParser<T> parser)
        where T : class, IMessage<T>, IBufferMessage =>
        Marshallers.Create<T>(
            static (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
