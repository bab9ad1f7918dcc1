using Google.Protobuf;
using Grpc.Core;
using ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Server.Tests.Grpc;

[Collection(ServerCollection.Name)]
public sealed class GrpcServiceTests(ServerFixture fixture)
{
    private GRPCInferenceService.GRPCInferenceServiceClient Client => fixture.Grpc;

    [Fact]
    public async Task Health_LiveReadyAndModelReady()
    {
        Assert.True((await Client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await Client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.True((await Client.ModelReadyAsync(new ModelReadyRequest { Name = "echo" })).Ready);
        Assert.False((await Client.ModelReadyAsync(new ModelReadyRequest { Name = "broken" })).Ready);
    }

    [Fact]
    public async Task ModelReady_UnknownModel_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await Client.ModelReadyAsync(new ModelReadyRequest { Name = "nope" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("Model with name nope does not exist.", e.Status.Detail);
    }

    [Fact]
    public async Task ServerMetadata_MatchesRest()
    {
        var response = await Client.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Equal("servesharp", response.Name);
        Assert.Contains("model_repository_extension", response.Extensions);
    }

    [Fact]
    public async Task ModelMetadata_ReturnsDeclaredTensors()
    {
        var response = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "sum" });
        Assert.Equal("sum", response.Name);
        Assert.Equal(["a", "b"], response.Inputs.Select(i => i.Name));
        Assert.Equal("FP64", response.Inputs[0].Datatype);
        Assert.Equal([-1L], response.Inputs[0].Shape);
    }

    [Fact]
    public async Task ModelInfer_TypedFp32_RoundTrips()
    {
        var request = new ModelInferRequest { ModelName = "echo", Id = "g1" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Contents = new InferTensorContents() };
        input.Shape.Add([2, 2]);
        input.Contents.Fp32Contents.Add([6.8f, 2.8f, 4.8f, 1.4f]);
        request.Inputs.Add(input);
        var response = await Client.ModelInferAsync(request);
        Assert.Equal("g1", response.Id);
        Assert.Equal("echo", response.ModelName);
        var output = Assert.Single(response.Outputs);
        Assert.Equal([2L, 2L], output.Shape);
        Assert.Equal([6.8f, 2.8f, 4.8f, 1.4f], output.Contents.Fp32Contents);
        Assert.Empty(response.RawOutputContents);
    }

    [Fact]
    public async Task ModelInfer_Raw_RoundTripsByteExact()
    {
        var raw = new byte[] { 0x9a, 0x99, 0xd9, 0x40, 0x33, 0x33, 0x33, 0x40 };
        var request = new ModelInferRequest { ModelName = "echo" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32" };
        input.Shape.Add(2);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(raw));
        var response = await Client.ModelInferAsync(request);
        Assert.Equal(raw, response.RawOutputContents.Single().ToByteArray());
        Assert.Null(response.Outputs[0].Contents);
    }

    [Fact]
    public async Task ModelInfer_UnknownModel_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await Client.ModelInferAsync(new ModelInferRequest { ModelName = "nope" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task ModelInfer_NotReady_IsUnavailable()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await Client.ModelInferAsync(new ModelInferRequest { ModelName = "broken" }));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.StartsWith("Model with name broken is not ready.", e.Status.Detail);
    }
}
