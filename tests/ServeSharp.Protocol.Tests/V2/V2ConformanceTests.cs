using System.Buffers;
using System.Text;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.V2;

namespace ServeSharp.Protocol.Tests.V2;

/// <summary>KServe's binary-output conformance vectors (protocol.md §3.6), byte for byte.</summary>
public sealed class V2ConformanceTests
{
    private static readonly float[] Values = [6.8f, 2.8f, 4.8f, 1.4f, 6.0f, 3.4f, 4.5f, 1.6f];
    private static readonly byte[] Fp16Bytes = Convert.FromHexString("cd469a41cd449a3d0046cd428044663e");
    private static readonly byte[] Fp32Bytes = Convert.FromHexString("9a99d940333333409a9999403333b33f0000c0409a99594000009040cdcccc3f");

    private static InferenceResponse Response() => new("FP16OutputModel", [
        Tensor.Create("fp16_output", [8], Values.Select(v => (Half)v).ToArray()),
        Tensor.Create("fp32_output", [8], Values.ToArray()),
    ]) { Id = "123" };

    [Fact]
    public void Fp16Binary_Fp32Json_HeaderIs345Bytes()
    {
        var request = new InferenceRequest("FP16OutputModel", [])
        {
            Outputs =
            [
                new RequestedOutput("fp16_output", new InferParameters { ["binary_data"] = InferParameter.FromBool(true) }),
                new RequestedOutput("fp32_output", new InferParameters { ["binary_data"] = InferParameter.FromBool(false) }),
            ],
        };
        var buffer = new ArrayBufferWriter<byte>();
        var length = V2ResponseEncoder.Encode(Response(), request, buffer);
        Assert.Equal(345, length);
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan[..345]);
        Assert.Equal(
            """{"id":"123","model_name":"FP16OutputModel","model_version":null,"outputs":[{"name":"fp16_output","shape":[8],"datatype":"FP16","parameters":{"binary_data_size":16}},{"name":"fp32_output","shape":[8],"datatype":"FP32","data":[6.800000190734863,2.799999952316284,4.800000190734863,1.399999976158142,6.0,3.4000000953674316,4.5,1.600000023841858]}]}""",
            json);
        Assert.Equal(Fp16Bytes, buffer.WrittenSpan[345..].ToArray());
    }

    [Fact]
    public void BinaryDataOutput_AllBinary_HeaderIs256Bytes()
    {
        var request = new InferenceRequest("FP16OutputModel", [])
        {
            Parameters = new InferParameters { ["binary_data_output"] = InferParameter.FromBool(true) },
        };
        var buffer = new ArrayBufferWriter<byte>();
        var length = V2ResponseEncoder.Encode(Response(), request, buffer);
        Assert.Equal(256, length);
        Assert.Equal(Fp16Bytes.Concat(Fp32Bytes).ToArray(), buffer.WrittenSpan[256..].ToArray());
        Assert.Contains("\"binary_data_size\":32", Encoding.UTF8.GetString(buffer.WrittenSpan[..256]), StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryDataOutput_WithListedOutputs_FollowsTritonRule()
    {
        // binary_data_output applies to listed outputs that do not set binary_data themselves (Triton), unlike KServe.
        var request = new InferenceRequest("FP16OutputModel", [])
        {
            Parameters = new InferParameters { ["binary_data_output"] = InferParameter.FromBool(true) },
            Outputs = [new RequestedOutput("fp16_output"), new RequestedOutput("fp32_output")],
        };
        var buffer = new ArrayBufferWriter<byte>();
        var length = V2ResponseEncoder.Encode(Response(), request, buffer);
        Assert.Equal(256, length);
    }

    [Fact]
    public void Fp16OutputAsJson_Is400()
    {
        var e = Assert.Throws<InferenceException>(() =>
            V2ResponseEncoder.Encode(Response(), new InferenceRequest("m", []), new ArrayBufferWriter<byte>()));
        Assert.Equal(InferenceErrorKind.InvalidInput, e.Kind);
        Assert.Equal("Sending FP16 data via JSON is not supported. Please use the binary data format for output fp16_output", e.Message);
    }

    [Fact]
    public void AllJsonLayout_KeepsNullsInKServeOrder()
    {
        var response = new InferenceResponse("M", [Tensor.Create("o", [2], new[] { 1.5f, float.NaN })]) { Id = "1" };
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Null(V2ResponseEncoder.Encode(response, new InferenceRequest("M", []), buffer));
        Assert.Equal(
            """{"model_name":"M","model_version":null,"id":"1","parameters":null,"outputs":[{"name":"o","shape":[2],"datatype":"FP32","parameters":null,"data":[1.5,null]}]}""",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
