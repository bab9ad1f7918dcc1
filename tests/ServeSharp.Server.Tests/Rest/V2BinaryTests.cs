using System.Net;
using System.Text;
using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Binary;

namespace ServeSharp.Server.Tests.Rest;

[Collection(ServerCollection.Name)]
public sealed class V2BinaryTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Http;

    public static TheoryData<Tensor> AllTensors => new()
    {
        Tensor.Create("bool", [3], new[] { true, false, true }),
        Tensor.Create("u8", [2], new byte[] { 0, 255 }),
        Tensor.Create("u16", [2], new ushort[] { 0, 65535 }),
        Tensor.Create("u32", [2], new uint[] { 0, uint.MaxValue }),
        Tensor.Create("u64", [2], new ulong[] { 0, ulong.MaxValue }),
        Tensor.Create("i8", [2], new sbyte[] { -128, 127 }),
        Tensor.Create("i16", [2], new short[] { -32768, 32767 }),
        Tensor.Create("i32", [2], new[] { int.MinValue, int.MaxValue }),
        Tensor.Create("i64", [2], new[] { long.MinValue, long.MaxValue }),
        Tensor.Create("f16", [2], new[] { (Half)6.8f, Half.NaN }),
        Tensor.Create("f32", [2, 1], new[] { 6.8f, float.NaN }),
        Tensor.Create("f64", [2], new[] { 0.1, double.NegativeInfinity }),
        Tensor.FromStrings("s", [2], ["ab", ""]),
        new Tensor("bf16", TensorDataType.BF16, [2], new ushort[] { 0x3f80, 0xc020 }),
    };

    [Theory]
    [MemberData(nameof(AllTensors))]
    public async Task BinaryInAndOut_RoundTripsByteExact(Tensor tensor)
    {
        var raw = BinaryTensorCodec.ToArray(tensor);
        var json = Encoding.UTF8.GetBytes(
            $$$"""{"id":"b1","parameters":{"binary_data_output":true},"inputs":[{"name":"{{{tensor.Name}}}","shape":[{{{string.Join(',', tensor.Shape)}}}],"datatype":"{{{tensor.DataType.ToWireName()}}}","parameters":{"binary_data_size":{{{raw.Length}}}}}]}""");
        var (status, body, response) = await Http.PostBinaryAsync("/v2/models/echo/infer", json, raw);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        var headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        using var doc = JsonDocument.Parse(body.AsMemory(0, headerLength));
        var output = doc.RootElement.GetProperty("outputs")[0];
        Assert.Equal(raw.Length, output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(tensor.DataType.ToWireName(), output.GetProperty("datatype").GetString());
        Assert.Equal(raw, body[headerLength..]);
    }

    [Fact]
    public async Task ConformanceVector_345_OverHttp()
    {
        var (status, body, response) = await Http.PostJsonAsync(
            "/v2/models/FP16OutputModel/infer",
            """{"id":"123","inputs":[],"outputs":[{"name":"fp16_output","parameters":{"binary_data":true}},{"name":"fp32_output","parameters":{"binary_data":false}}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("345", response.Headers.GetValues("Inference-Header-Content-Length").Single());
        Assert.Equal(345 + 16, Encoding.Latin1.GetByteCount(body));
    }

    [Fact]
    public async Task ConformanceVector_256_OverHttp()
    {
        var (status, _, response) = await Http.PostJsonAsync(
            "/v2/models/FP16OutputModel/infer", """{"id":"123","inputs":[],"parameters":{"binary_data_output":true}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("256", response.Headers.GetValues("Inference-Header-Content-Length").Single());
        Assert.Equal(256 + 16 + 32, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Fp16OutputAsJson_Is400()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/FP16OutputModel/infer", """{"inputs":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(
            "Sending FP16 data via JSON is not supported. Please use the binary data format for output fp16_output",
            HttpTestExtensions.Error(body));
    }

    [Theory]
    [InlineData(8, 10, "binary_data_size values add up to 8")]
    [InlineData(12, 8, "declares binary_data_size 12, but only 8 bytes")]
    [InlineData(4, 4, "must be 8 bytes (2 x 4), but 4 bytes were given")]
    public async Task BinarySizesThatDoNotAddUp_Are400(int declared, int actual, string expected)
    {
        var json = Encoding.UTF8.GetBytes(
            $$$"""{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":{{{declared}}}}}]}""");
        var (status, body, _) = await Http.PostBinaryAsync("/v2/models/echo/infer", json, new byte[actual]);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, HttpTestExtensions.Error(Encoding.UTF8.GetString(body)));
    }

    [Fact]
    public async Task HeaderLengthBeyondBody_Is400()
    {
        using var content = new ByteArrayContent("{}"u8.ToArray());
        content.Headers.Add("Inference-Header-Content-Length", "99");
        var response = await Http.PostAsync("/v2/models/echo/infer", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Inference-Header-Content-Length is 99", HttpTestExtensions.Error(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task HeaderLengthNotANumber_Is400()
    {
        using var content = new ByteArrayContent("{}"u8.ToArray());
        content.Headers.Add("Inference-Header-Content-Length", "ten");
        var response = await Http.PostAsync("/v2/models/echo/infer", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
