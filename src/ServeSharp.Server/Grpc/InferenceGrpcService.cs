using Grpc.Core;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Grpc;
using ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Server.Grpc;

/// <summary>
/// <c>inference.GRPCInferenceService</c> on the gRPC port, calling the same <see cref="DataPlane"/> as REST.
/// Errors are <see cref="InferenceException"/>s turned into gRPC statuses by <see cref="GrpcErrorInterceptor"/>.
/// Repository RPCs use the Triton message layout (protocol.md §4.3).
/// </summary>
internal sealed class InferenceGrpcService(DataPlane dataPlane) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = dataPlane.IsLive });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = dataPlane.IsReady });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = dataPlane.IsModelReady(request.Name) });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = dataPlane.ServerName, Version = dataPlane.ServerVersion };
        response.Extensions.Add(DataPlane.Extensions);
        return Task.FromResult(response);
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var metadata = dataPlane.GetModelMetadata(request.Name);
        var response = new ModelMetadataResponse { Name = request.Name, Platform = metadata.Platform };
        if (metadata.Versions is not null)
        {
            response.Versions.Add(metadata.Versions);
        }

        foreach (var input in metadata.Inputs)
        {
            response.Inputs.Add(ToWire(input));
        }

        foreach (var output in metadata.Outputs)
        {
            response.Outputs.Add(ToWire(output));
        }

        return Task.FromResult(response);
    }

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) =>
        InferAsync(request, context);

    public override async Task ModelStreamInfer(
        IAsyncStreamReader<ModelInferRequest> requestStream, IServerStreamWriter<ModelStreamInferResponse> responseStream, ServerCallContext context)
    {
        // Like Triton: an error answers that one request (error_message) and the stream carries on.
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            ModelStreamInferResponse message;
            try
            {
                message = new ModelStreamInferResponse { InferResponse = await InferAsync(request, context).ConfigureAwait(false) };
            }
            catch (InferenceException e)
            {
                message = new ModelStreamInferResponse { ErrorMessage = e.Message };
            }

            await responseStream.WriteAsync(message, context.CancellationToken).ConfigureAwait(false);
        }
    }

    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        var response = new RepositoryIndexResponse();
        foreach (var entry in dataPlane.Index(request.Ready))
        {
            response.Models.Add(new RepositoryIndexResponse.Types.ModelIndex
            {
                Name = entry.Name,
                Version = entry.Version ?? string.Empty,
                State = entry.State,
                Reason = entry.Reason,
            });
        }

        return Task.FromResult(response);
    }

    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        await dataPlane.LoadAsync(request.ModelName, context.CancellationToken).ConfigureAwait(false);
        return new RepositoryModelLoadResponse();
    }

    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(
        RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        await dataPlane.UnloadAsync(request.ModelName, context.CancellationToken).ConfigureAwait(false);
        return new RepositoryModelUnloadResponse();
    }

    private async Task<ModelInferResponse> InferAsync(ModelInferRequest request, ServerCallContext context)
    {
        dataPlane.EnsureModelReady(request.ModelName);
        var inferenceRequest = GrpcRequestConverter.ToInferenceRequest(request, new MetadataView(context.RequestHeaders));
        var response = await dataPlane.InferAsync(inferenceRequest, context.CancellationToken).ConfigureAwait(false);
        return GrpcResponseConverter.ToGrpc(response, requestUsedRaw: request.RawInputContents.Count > 0);
    }

    private static ModelMetadataResponse.Types.TensorMetadata ToWire(TensorMetadata tensor)
    {
        var wire = new ModelMetadataResponse.Types.TensorMetadata { Name = tensor.Name, Datatype = tensor.DataType.ToWireName() };
        wire.Shape.Add(tensor.Shape);
        return wire;
    }
}
