using System.Text;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.V2;

namespace ServeSharp.Protocol.Tests.V2;

public sealed class V2RequestDecoderTests
{
    private static InferenceRequest Decode(string json) => V2RequestDecoder.Decode(Encoding.UTF8.GetBytes(json), null, "m");

    [Fact]
    public void Decode_FieldsInAnyOrder_DataBeforeDatatype()
    {
        var request = Decode("""{"inputs":[{"data":[[1,2],[3,4]],"datatype":"UINT16","shape":[2,2],"name":"x"}],"id":"a","model_name":"ignored"}""");
        var x = Assert.Single(request.Inputs);
        Assert.Equal(TensorDataType.UInt16, x.DataType);
        Assert.Equal(new ushort[] { 1, 2, 3, 4 }, x.GetData<ushort>());
        Assert.Equal("a", request.Id);
        Assert.Null(request.Outputs);
    }

    [Fact]
    public void Decode_LowerCaseDatatype_IsAcceptedLikeKServe()
    {
        Assert.Equal(TensorDataType.FP32, Decode("""{"inputs":[{"name":"x","shape":[1],"datatype":"fp32","data":[1]}]}""").Inputs[0].DataType);
    }

    [Fact]
    public void Decode_NullInFloatData_IsNaN()
    {
        var x = Decode("""{"inputs":[{"name":"x","shape":[2],"datatype":"FP64","data":[null,1]}]}""").Inputs[0];
        Assert.True(double.IsNaN(x.GetData<double>()[0]));
    }

    [Fact]
    public void Decode_ParametersAndRequestedOutputs()
    {
        var request = Decode("""{"parameters":{"content_type":"pd","n":5,"big":18446744073709551615,"f":0.5,"b":false},"inputs":[],"outputs":[{"name":"o","parameters":{"binary_data":true}}]}""");
        Assert.Equal("pd", request.Parameters.GetString("content_type"));
        Assert.Equal(5, request.Parameters["n"].Int64Value);
        Assert.Equal(ulong.MaxValue, request.Parameters["big"].UInt64Value);
        Assert.Equal(0.5, request.Parameters["f"].DoubleValue);
        Assert.False(request.Parameters["b"].BoolValue);
        var output = Assert.Single(request.Outputs!);
        Assert.Equal("o", output.Name);
        Assert.True(output.Parameters.GetBool("binary_data"));
    }

    [Fact]
    public void Decode_BinaryInputs_TakeChunksInOrderAndMixWithJson()
    {
        var json = Encoding.UTF8.GetBytes(
            """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8}},{"name":"j","shape":[1],"datatype":"INT64","data":[7]},{"name":"s","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":11}}]}""");
        var binary = Convert.FromHexString("0000803f00000040" + "0200000068690100000021");
        var request = V2RequestDecoder.Decode(json.Concat(binary).ToArray(), json.Length, "m");
        Assert.Equal(new[] { 1f, 2f }, request.Inputs[0].GetData<float>());
        Assert.Equal(new long[] { 7 }, request.Inputs[1].GetData<long>());
        Assert.Equal(["hi", "!"], request.Inputs[2].ToStrings());
    }

    [Fact]
    public void Decode_WorkedExampleOfSpec_Is91BytesHeader()
    {
        var json = """{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8}}]}""";
        Assert.Equal(91, Encoding.UTF8.GetByteCount(json));
        var body = Encoding.UTF8.GetBytes(json).Concat(Convert.FromHexString("0000803f00000040")).ToArray();
        Assert.Equal(new[] { 1f, 2f }, V2RequestDecoder.Decode(body, 91, "m").Inputs[0].GetData<float>());
    }

    [Theory]
    [InlineData(8, "00000000000000000000", "binary_data_size values add up to 8")]
    [InlineData(12, "0000000000000000", "declares binary_data_size 12, but only 8 bytes")]
    [InlineData(4, "00000000", "must be 8 bytes (2 x 4), but 4 bytes were given")]
    public void Decode_BinarySizesThatDoNotAddUp_Are400(int declared, string hex, string expected)
    {
        var json = Encoding.UTF8.GetBytes(
            $$$"""{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":{{{declared}}}}}]}""");
        var body = json.Concat(Convert.FromHexString(hex)).ToArray();
        var e = Assert.Throws<InferenceException>(() => V2RequestDecoder.Decode(body, json.Length, "m"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(10_000L)]
    public void Decode_HeaderLengthOutsideBody_Is400(long length)
    {
        var e = Assert.Throws<InferenceException>(() => V2RequestDecoder.Decode("{}"u8, length, "m"));
        Assert.Contains("Inference-Header-Content-Length", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TrailingBytesWithoutHeaderLength_Is400()
    {
        var e = Assert.Throws<InferenceException>(() => Decode("""{"inputs":[]}xyz"""));
        Assert.StartsWith("Unrecognized request format", e.Message, StringComparison.Ordinal);
    }
}
