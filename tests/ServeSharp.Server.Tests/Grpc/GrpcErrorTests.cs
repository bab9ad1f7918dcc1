using Google.Protobuf;
using Grpc.Core;
using ServeSharp.Protocol.Grpc.Generated;
using ServeSharp.Server.Tests.Metrics;

namespace ServeSharp.Server.Tests.Grpc;

[Collection(ServerCollection.Name)]
public sealed class GrpcErrorTests(ServerFixture fixture)
{
    private GRPCInferenceService.GRPCInferenceServiceClient Client => fixture.Grpc;

    private static ModelInferRequest Request(string model, string datatype, long[] shape, Action<InferTensorContents>? fill = null, string name = "x")
    {
        var request = new ModelInferRequest { ModelName = model };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype, Contents = new InferTensorContents() };
        input.Shape.Add(shape);
        fill?.Invoke(input.Contents);
        request.Inputs.Add(input);
        return request;
    }

    private async Task<RpcException> Fails(ModelInferRequest request) =>
        await Assert.ThrowsAsync<RpcException>(async () => await Client.ModelInferAsync(request));

    [Fact]
    public async Task UnknownDatatype_IsInvalidArgument()
    {
        var e = await Fails(Request("echo", "FP99", [1]));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("unsupported datatype 'FP99'", e.Status.Detail);
    }

    [Fact]
    public async Task ShapeMismatch_IsInvalidArgument()
    {
        var e = await Fails(Request("echo", "FP32", [3], c => c.Fp32Contents.Add([1f, 2f])));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("needs 3 elements", e.Status.Detail);
    }

    [Fact]
    public async Task RawSizeMismatch_IsInvalidArgument()
    {
        var request = Request("echo", "FP32", [2]);
        request.Inputs[0].Contents = null;
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[5]));
        var e = await Fails(request);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("must be 8 bytes", e.Status.Detail);
    }

    [Fact]
    public async Task RawCountMismatch_IsInvalidArgument()
    {
        var request = Request("echo", "FP32", [1]);
        request.Inputs[0].Contents = null;
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[4]));
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[4]));
        var e = await Fails(request);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("the number of inputs (1) does not match the expected number of raw input contents (2) for model 'echo'.", e.Status.Detail);
    }

    [Fact]
    public async Task UnknownInputName_IsInvalidArgument()
    {
        var e = await Fails(Request("sum", "FP64", [1], c => c.Fp64Contents.Add(1), name: "zzz"));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("Unknown input 'zzz'", e.Status.Detail);
    }

    [Fact]
    public async Task UnknownOutputName_IsInvalidArgument()
    {
        var request = Request("echo", "FP64", [1], c => c.Fp64Contents.Add(1));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "nope" });
        var e = await Fails(request);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("Unexpected inference output 'nope' for model 'echo'", e.Status.Detail);
    }

    [Fact]
    public async Task ModelFailure_IsInternalWithReason()
    {
        var e = await Fails(Request("fail", "FP64", [1], c => c.Fp64Contents.Add(1)));
        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Equal("matrix is singular", e.Status.Detail);
    }

    [Fact]
    public async Task OversizedMessage_IsResourceExhausted()
    {
        var request = Request("echo", "BYTES", [1], c => c.BytesContents.Add(ByteString.CopyFrom(new byte[ServerFixture.GrpcLimit + 10])));
        var e = await Fails(request);
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task ServerStillServesAfterBadRequests()
    {
        await Fails(Request("echo", "FP99", [1]));
        var response = await Client.ModelInferAsync(Request("echo", "INT64", [1], c => c.Int64Contents.Add(5)));
        Assert.Equal([5L], response.Outputs[0].Contents.Int64Contents);
    }

    [Fact]
    public async Task StreamInfer_AnswersEachRequestAndReportsErrorsInline()
    {
        using var call = Client.ModelStreamInfer();
        await call.RequestStream.WriteAsync(Request("echo", "INT64", [1], c => c.Int64Contents.Add(5)));
        await call.RequestStream.WriteAsync(Request("nope", "INT64", [1], c => c.Int64Contents.Add(5)));
        await call.RequestStream.CompleteAsync();
        var responses = new List<ModelStreamInferResponse>();
        await foreach (var r in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(r);
        }

        Assert.Equal(2, responses.Count);
        Assert.Equal([5L], responses[0].InferResponse.Outputs[0].Contents.Int64Contents);
        Assert.Equal("Model with name nope does not exist.", responses[1].ErrorMessage);
    }

    [Fact]
    public async Task RequestId_IsEchoedInTrailers()
    {
        using var call = Client.ServerLiveAsync(new ServerLiveRequest(), new Metadata { { "x-request-id", "grpc-7" } });
        await call;
        Assert.Equal("grpc-7", call.GetTrailers().GetValue("x-request-id"));
    }

    [Fact]
    public async Task ModelInfer_RequestId_IsEchoedInTrailers()
    {
        var request = Request("echo", "INT64", [1], c => c.Int64Contents.Add(5));
        using var call = Client.ModelInferAsync(request, new Metadata { { "x-request-id", "infer-9" } });
        await call;
        Assert.Equal("infer-9", call.GetTrailers().GetValue("x-request-id"));
    }

    [Fact]
    public async Task ModelInfer_NoRequestId_NoTrailer()
    {
        using var call = Client.ModelInferAsync(Request("echo", "INT64", [1], c => c.Int64Contents.Add(5)));
        await call;
        Assert.Null(call.GetTrailers().Get("x-request-id"));
    }

    [Fact]
    public async Task ModelInfer_ModelSeesRequestMetadataAsHeaders()
    {
        var response = await Client.ModelInferAsync(
            Request("echo", "INT64", [1], c => c.Int64Contents.Add(5)), new Metadata { { "x-echo-header", "from-grpc" } });
        Assert.Equal("from-grpc", response.Parameters["echo_header"].StringParam);
    }

    [Fact]
    public async Task Calls_AreCountedByStatus()
    {
        const string ok = "servesharp_requests_total{protocol=\"grpc\",status=\"OK\"}";
        const string notFound = "servesharp_requests_total{protocol=\"grpc\",status=\"NotFound\"}";
        var before = await fixture.Http.GetStringAsync("/metrics");
        await Client.ModelInferAsync(Request("echo", "INT64", [1], c => c.Int64Contents.Add(5)));
        await Client.ModelInferAsync(Request("echo", "INT64", [1], c => c.Int64Contents.Add(6)));
        await Fails(Request("nope", "INT64", [1], c => c.Int64Contents.Add(5)));
        var text = await fixture.Http.GetStringAsync("/metrics");
        Assert.Equal(2, HttpRequestCountersTests.Value(text, ok) - HttpRequestCountersTests.Value(before, ok));
        Assert.True(HttpRequestCountersTests.Value(text, notFound) >= 1);
    }
}
