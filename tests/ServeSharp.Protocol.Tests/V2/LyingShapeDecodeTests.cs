using System.Text;
using Google.Protobuf;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Grpc;
using ServeSharp.Protocol.V2;
using Wire = ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Protocol.Tests.V2;

/// <summary>
/// A shape far larger than the data sent must be a count-mismatch error without allocating a buffer for the shape:
/// each case asserts the message and that decoding allocated less than a megabyte.
/// </summary>
public sealed class LyingShapeDecodeTests
{
    private const long Budget = 1 << 20;

    public static TheoryData<string, string, string> JsonCases => new()
    {
        // Data before shape: the one-pass jump does not apply, so BuildInput's fast path and the general reader run.
        { "FP32", "[1]", "2000000000" },
        { "FP64", "[1]", "2000000000" },
        { "INT64", "[1]", "2000000000" },
        { "INT32", "[1]", "2000000000" },
        { "UINT8", "[1]", "2000000000" },
        { "BOOL", "[true]", "2000000000" },
        { "BYTES", "[\"a\"]", "2000000000" },
        { "FP32", "[[1]]", "2000000000,1" },
        { "FP32", "[1]", "4611686018427387904" },
        { "BYTES", "[\"a\"]", "4611686018427387904" },
        { "INT64", "[[1]]", "2147483648,2147483647" },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public void Json_DataBeforeShape_IsCountMismatch(string datatype, string data, string shape)
    {
        var body = $$"""{"inputs":[{"name":"x","data":{{data}},"shape":[{{shape}}],"datatype":"{{datatype}}"}]}""";
        var expected = Product(shape);
        AssertMismatch(body, $"input 'x' has shape [{shape}], which needs {expected} elements, but 'data' holds 1.");
    }

    [Theory]
    [MemberData(nameof(JsonCases))]
    public void Json_ShapeBeforeData_IsCountMismatch(string datatype, string data, string shape)
    {
        var body = $$"""{"inputs":[{"name":"x","shape":[{{shape}}],"datatype":"{{datatype}}","data":{{data}}}]}""";
        AssertMismatch(body, $"input 'x' has shape [{shape}], which needs {Product(shape)} elements, but 'data' holds 1.");
    }

    [Fact]
    public void Json_OverflowingShape_IsTooLarge()
    {
        var e = Assert.Throws<InferenceException>(() => Decode(
            """{"inputs":[{"name":"x","shape":[4294967296,4294967296,4294967296],"datatype":"FP32","data":[1]}]}"""));
        Assert.Equal(InferenceErrorKind.InvalidInput, e.Kind);
        Assert.Equal("input 'x' has shape [4294967296,4294967296,4294967296], which is too large.", e.Message);
    }

    [Fact]
    public void BinaryBytes_HugeShape_FailsWhereTheDataEnds()
    {
        var json = Encoding.UTF8.GetBytes(
            """{"inputs":[{"name":"x","shape":[2000000000],"datatype":"BYTES","parameters":{"binary_data_size":5}}]}""");
        byte[] raw = [1, 0, 0, 0, (byte)'a'];
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InferenceException>(() => V2RequestDecoder.Decode([.. json, .. raw], json.Length, "m"));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, Budget);
        Assert.Equal(InferenceErrorKind.InvalidInput, e.Kind);
        Assert.Equal("input 'x': BYTES binary data ends inside the length prefix of element 1 of 2000000000.", e.Message);
    }

    [Fact]
    public void GrpcRawBytes_HugeShape_FailsWhereTheDataEnds()
    {
        var request = GrpcRequest("BYTES", 2_000_000_000);
        request.RawInputContents.Add(ByteString.CopyFrom(1, 0, 0, 0, (byte)'a'));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InferenceException>(() => GrpcRequestConverter.ToInferenceRequest(request));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, Budget);
        Assert.Equal("input 'x': BYTES binary data ends inside the length prefix of element 1 of 2000000000.", e.Message);
    }

    [Theory]
    [InlineData(2_000_000_000L)]
    [InlineData(4_611_686_018_427_387_904L)]
    public void GrpcTyped_HugeShape_IsCountMismatch(long dim)
    {
        var request = GrpcRequest("FP32", dim);
        request.Inputs[0].Contents = new Wire.InferTensorContents();
        request.Inputs[0].Contents.Fp32Contents.Add(1f);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InferenceException>(() => GrpcRequestConverter.ToInferenceRequest(request));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, Budget);
        Assert.Equal($"input 'x' needs {dim} elements for its shape but fp32_contents holds 1.", e.Message);
    }

    private static Wire.ModelInferRequest GrpcRequest(string datatype, long dim)
    {
        var request = new Wire.ModelInferRequest { ModelName = "m" };
        var input = new Wire.ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = datatype };
        input.Shape.Add(dim);
        request.Inputs.Add(input);
        return request;
    }

    private static void AssertMismatch(string body, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InferenceException>(() => V2RequestDecoder.Decode(bytes, null, "m"));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, Budget);
        Assert.Equal(InferenceErrorKind.InvalidInput, e.Kind);
        Assert.Equal(message, e.Message);
    }

    private static InferenceRequest Decode(string json) => V2RequestDecoder.Decode(Encoding.UTF8.GetBytes(json), null, "m");

    private static long Product(string shape) =>
        shape.Split(',').Aggregate(1L, (total, dim) => total * long.Parse(dim, System.Globalization.CultureInfo.InvariantCulture));
}
