using Grpc.Core;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Grpc;
using ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Server.Grpc;

/// <summary>
/// <c>inference.GRPCInferenceService</c> on the gRPC port, calling the same <see cref="DataPlane"/> as REST.
/// Every call runs through <see cref="GrpcCallGuard"/>, which turns <see cref="InferenceException"/>s into gRPC
/// statuses. Repository RPCs use the Triton message layout (protocol.md §4.3). The methods are bound by
/// <see cref="InferenceGrpcMethodProvider"/>: <c>ModelInfer</c> with <see cref="ModelInferMarshallers"/>, the rest
/// with the generated marshallers.
/// </summary>
internal sealed class InferenceGrpcService(DataPlane dataPlane, GrpcCallGuard guard)
{
    private readonly DataPlane _dataPlane = dataPlane;

    public Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        guard.UnaryAsync(_dataPlane, context, static (d, _) => Task.FromResult(new ServerLiveResponse { Live = d.IsLive }));

    public Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        guard.UnaryAsync(_dataPlane, context, static (d, _) => Task.FromResult(new ServerReadyResponse { Ready = d.IsReady }));

    public Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        guard.UnaryAsync((_dataPlane, request), context, static (s, _) =>
            Task.FromResult(new ModelReadyResponse { Ready = s._dataPlane.IsModelReady(s.request.Name) }));

    public Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        guard.UnaryAsync(_dataPlane, context, static (d, _) =>
        {
            var response = new ServerMetadataResponse { Name = d.ServerName, Version = d.ServerVersion };
            response.Extensions.Add(DataPlane.Extensions);
            return Task.FromResult(response);
        });

    public Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) =>
        guard.UnaryAsync((_dataPlane, request), context, static (s, _) => Task.FromResult(GetModelMetadata(s._dataPlane, s.request)));

    public Task<ModelInferReply> ModelInfer(ModelInferCall request, ServerCallContext context) =>
        guard.UnaryAsync((_dataPlane, request), context, static (s, c) => InferAsync(s._dataPlane, s.request, c));

    public Task ModelStreamInfer(
        IAsyncStreamReader<ModelInferRequest> requestStream, IServerStreamWriter<ModelStreamInferResponse> responseStream, ServerCallContext context) =>
        guard.StreamAsync((_dataPlane, requestStream, responseStream), context, static (s, c) => StreamInferAsync(s._dataPlane, s.requestStream, s.responseStream, c));

    public Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context) =>
        guard.UnaryAsync((_dataPlane, request), context, static (s, _) =>
        {
            var response = new RepositoryIndexResponse();
            foreach (var entry in s._dataPlane.Index(s.request.Ready))
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
        });

    public Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context) =>
        guard.UnaryAsync((_dataPlane, request), context, static async (s, c) =>
        {
            await s._dataPlane.LoadAsync(s.request.ModelName, c.CancellationToken).ConfigureAwait(false);
            return new RepositoryModelLoadResponse();
        });

    public Task<RepositoryModelUnloadResponse> RepositoryModelUnload(
        RepositoryModelUnloadRequest request, ServerCallContext context) =>
        guard.UnaryAsync((_dataPlane, request), context, static async (s, c) =>
        {
            await s._dataPlane.UnloadAsync(s.request.ModelName, c.CancellationToken).ConfigureAwait(false);
            return new RepositoryModelUnloadResponse();
        });

    private static async Task StreamInferAsync(
        DataPlane dataPlane, IAsyncStreamReader<ModelInferRequest> requestStream, IServerStreamWriter<ModelStreamInferResponse> responseStream,
        ServerCallContext context)
    {
        // Like Triton: an error answers that one request (error_message) and the stream carries on.
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            ModelStreamInferResponse message;
            try
            {
                message = new ModelStreamInferResponse { InferResponse = await InferAsync(dataPlane, request, context).ConfigureAwait(false) };
            }
            catch (InferenceException e)
            {
                message = new ModelStreamInferResponse { ErrorMessage = e.Message };
            }

            await responseStream.WriteAsync(message, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static Task<ModelInferReply> InferAsync(DataPlane dataPlane, ModelInferCall request, ServerCallContext context) =>
        InferAsync(dataPlane, request, new MetadataView(context), context.CancellationToken);

    /// <summary>
    /// Answers one <c>ModelInfer</c> call: what this service's method does, and <see cref="ModelInferFastPath"/> for the
    /// calls it takes. <paramref name="metadata"/> becomes the request's headers.
    /// </summary>
    internal static async Task<ModelInferReply> InferAsync(
        DataPlane dataPlane, ModelInferCall request, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        dataPlane.EnsureModelReady(request.ModelName);
        var inferenceRequest = GrpcRequestConverter.ToInferenceRequest(request, metadata);
        var response = await dataPlane.InferAsync(inferenceRequest, cancellationToken).ConfigureAwait(false);
        return ModelInferReply.Create(response, request.UsedRawContents);
    }

    private static async Task<ModelInferResponse> InferAsync(DataPlane dataPlane, ModelInferRequest request, ServerCallContext context)
    {
        dataPlane.EnsureModelReady(request.ModelName);
        var inferenceRequest = GrpcRequestConverter.ToInferenceRequest(request, new MetadataView(context));
        var response = await dataPlane.InferAsync(inferenceRequest, context.CancellationToken).ConfigureAwait(false);
        return GrpcResponseConverter.ToGrpc(response, requestUsedRaw: request.RawInputContents.Count > 0);
    }

    private static ModelMetadataResponse GetModelMetadata(DataPlane dataPlane, ModelMetadataRequest request)
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

        return response;
    }

    private static ModelMetadataResponse.Types.TensorMetadata ToWire(TensorMetadata tensor)
    {
        var wire = new ModelMetadataResponse.Types.TensorMetadata { Name = tensor.Name, Datatype = tensor.DataType.ToWireName() };
        wire.Shape.Add(tensor.Shape);
        return wire;
    }
}
