using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using ServeSharp.Protocol.Grpc;
using ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Server.Grpc;

/// <summary>
/// Binds <see cref="InferenceGrpcService"/>'s methods: every method of the generated service definition with the
/// generated marshallers, except <c>ModelInfer</c>, which uses <see cref="ModelInferMarshallers"/> (the same
/// messages on the wire, read and written without the generated message graph). Replaces Grpc.AspNetCore's
/// reflection-based binding, which needs the service to derive from the generated base class.
/// </summary>
internal sealed class InferenceGrpcMethodProvider : IServiceMethodProvider<InferenceGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<InferenceGrpcService> context) =>
        GRPCInferenceService.BindService(new Binder(context), null);

    private sealed class Binder(ServiceMethodProviderContext<InferenceGrpcService> context) : ServiceBinderBase
    {
        private static readonly List<object> NoMetadata = [];

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            if (method.Name == ModelInferMarshallers.ModelInfer.Name)
            {
                context.AddUnaryMethod(ModelInferMarshallers.ModelInfer, NoMetadata, static (s, r, c) => s.ModelInfer(r, c));
                return;
            }

            Delegate invoker = method.Name switch
            {
                nameof(InferenceGrpcService.ServerLive) => new UnaryServerMethod<InferenceGrpcService, ServerLiveRequest, ServerLiveResponse>(static (s, r, c) => s.ServerLive(r, c)),
                nameof(InferenceGrpcService.ServerReady) => new UnaryServerMethod<InferenceGrpcService, ServerReadyRequest, ServerReadyResponse>(static (s, r, c) => s.ServerReady(r, c)),
                nameof(InferenceGrpcService.ModelReady) => new UnaryServerMethod<InferenceGrpcService, ModelReadyRequest, ModelReadyResponse>(static (s, r, c) => s.ModelReady(r, c)),
                nameof(InferenceGrpcService.ServerMetadata) => new UnaryServerMethod<InferenceGrpcService, ServerMetadataRequest, ServerMetadataResponse>(static (s, r, c) => s.ServerMetadata(r, c)),
                nameof(InferenceGrpcService.ModelMetadata) => new UnaryServerMethod<InferenceGrpcService, ModelMetadataRequest, ModelMetadataResponse>(static (s, r, c) => s.ModelMetadata(r, c)),
                nameof(InferenceGrpcService.RepositoryIndex) => new UnaryServerMethod<InferenceGrpcService, RepositoryIndexRequest, RepositoryIndexResponse>(static (s, r, c) => s.RepositoryIndex(r, c)),
                nameof(InferenceGrpcService.RepositoryModelLoad) => new UnaryServerMethod<InferenceGrpcService, RepositoryModelLoadRequest, RepositoryModelLoadResponse>(static (s, r, c) => s.RepositoryModelLoad(r, c)),
                nameof(InferenceGrpcService.RepositoryModelUnload) => new UnaryServerMethod<InferenceGrpcService, RepositoryModelUnloadRequest, RepositoryModelUnloadResponse>(static (s, r, c) => s.RepositoryModelUnload(r, c)),
                _ => throw new InvalidOperationException($"gRPC method {method.FullName} has no handler in {nameof(InferenceGrpcService)}."),
            };
            context.AddUnaryMethod(method, NoMetadata, (UnaryServerMethod<InferenceGrpcService, TRequest, TResponse>)invoker);
        }

        public override void AddMethod<TRequest, TResponse>(
            Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            Delegate invoker = method.Name switch
            {
                nameof(InferenceGrpcService.ModelStreamInfer) =>
                    new DuplexStreamingServerMethod<InferenceGrpcService, ModelInferRequest, ModelStreamInferResponse>(static (s, r, w, c) => s.ModelStreamInfer(r, w, c)),
                _ => throw new InvalidOperationException($"gRPC method {method.FullName} has no handler in {nameof(InferenceGrpcService)}."),
            };
            context.AddDuplexStreamingMethod(method, NoMetadata, (DuplexStreamingServerMethod<InferenceGrpcService, TRequest, TResponse>)invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            throw new InvalidOperationException($"gRPC method {method.FullName} has no handler in {nameof(InferenceGrpcService)}.");

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            throw new InvalidOperationException($"gRPC method {method.FullName} has no handler in {nameof(InferenceGrpcService)}.");
    }
}
