using Google.Protobuf;
using Grpc.Core;
using ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Server.Tests.Grpc;

/// <summary>
/// Issue #3 over a real gRPC channel: a shape far larger than the contents sent is INVALID_ARGUMENT with the
/// count-mismatch message, and the server still answers a normal request afterwards.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class GrpcLyingShapeTests(ServerFixture fixture)
{
    private GRPCInferenceService.GRPCInferenceServiceClient Client => fixture.Grpc;

    [Theory]
    [InlineData(2_000_000_000L)]
    [InlineData(4_611_686_018_427_387_904L)]
    public async Task TypedContents_HugeShape_IsInvalidArgument(long dim)
    {
        var request = Request("FP32", [dim]);
        request.Inputs[0].Contents = new InferTensorContents();
        request.Inputs[0].Contents.Fp32Contents.Add(1f);
        await AssertInvalid(request, $"input 'x' needs {dim} elements for its shape but fp32_contents holds 1.");
    }

    [Theory]
    [InlineData("BYTES", new[] { 2_000_000_000L }, "input 'x': BYTES binary data ends inside the length prefix of element 1 of 2000000000.")]
    [InlineData("FP32", new[] { 2_000_000_000L }, "input 'x' has shape [2000000000] and datatype FP32, so its binary data must be 8000000000 bytes (2000000000 x 4), but 5 bytes were given.")]
    [InlineData("BYTES", new[] { 4_611_686_018_427_387_904L }, "input 'x' has shape [4611686018427387904], which is too large.")]
    [InlineData("FP32", new[] { 4_294_967_296L, 4_294_967_296L, 4_294_967_296L }, "input 'x' has shape [4294967296,4294967296,4294967296], which is too large.")]
    public async Task RawContents_HugeShape_IsInvalidArgument(string datatype, long[] shape, string message)
    {
        var request = Request(datatype, shape);
        request.RawInputContents.Add(ByteString.CopyFrom(1, 0, 0, 0, (byte)'a'));
        await AssertInvalid(request, message);
    }

    [Fact]
    public async Task TypedContents_OverflowingShape_IsInvalidArgument()
    {
        var request = Request("FP32", [4_294_967_296L, 4_294_967_296L, 4_294_967_296L]);
        request.Inputs[0].Contents = new InferTensorContents();
        request.Inputs[0].Contents.Fp32Contents.Add(1f);
        await AssertInvalid(request, "input 'x' has shape [4294967296,4294967296,4294967296], which is too large.");
    }

    private static ModelInferRequest Request(string datatype, long[] shape)
    {
        var request = new ModelInferRequest { ModelName = "echo" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = datatype };
        input.Shape.Add(shape);
        request.Inputs.Add(input);
        return request;
    }

    private async Task AssertInvalid(ModelInferRequest request, string message)
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await Client.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);

        var normal = Request("FP32", [2]);
        normal.Inputs[0].Contents = new InferTensorContents();
        normal.Inputs[0].Contents.Fp32Contents.Add([1.5f, 2f]);
        var response = await Client.ModelInferAsync(normal);
        Assert.Equal([1.5f, 2f], response.Outputs[0].Contents.Fp32Contents);
    }
}
