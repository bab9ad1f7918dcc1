using System.Net;
using System.Text;
using System.Text.Json;

namespace ServeSharp.Server.Tests.Rest;

[Collection(ServerCollection.Name)]
public sealed class V2InferTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Theory]
    [InlineData("BOOL", "[true,false,true]")]
    [InlineData("UINT8", "[0,128,255]")]
    [InlineData("UINT16", "[0,1,65535]")]
    [InlineData("UINT32", "[0,1,4294967295]")]
    [InlineData("UINT64", "[0,1,18446744073709551615]")]
    [InlineData("INT8", "[-128,0,127]")]
    [InlineData("INT16", "[-32768,0,32767]")]
    [InlineData("INT32", "[-2147483648,0,2147483647]")]
    [InlineData("INT64", "[-9223372036854775808,0,9223372036854775807]")]
    [InlineData("FP32", "[1.5,-2.0,0.0]")]
    [InlineData("FP64", "[0.1,-2.5,1e+300]")]
    [InlineData("BYTES", """["ab","","ü"]""")]
    public async Task Infer_EveryJsonDatatype_RoundTrips(string datatype, string data)
    {
        var json = $$"""{"id":"r1","inputs":[{"name":"t","shape":[3],"datatype":"{{datatype}}","data":{{data}}}]}""";
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/echo/infer", json);
        Assert.Equal(HttpStatusCode.OK, status);
        var expectedData = datatype == "FP64" ? "[0.1,-2.5,1E+300]" : data;
        Assert.Equal(
            $$"""{"model_name":"echo","model_version":null,"id":"r1","parameters":null,"outputs":[{"name":"t","shape":[3],"datatype":"{{datatype}}","parameters":null,"data":{{expectedData}}}]}""",
            body);
    }

    [Fact]
    public async Task Infer_NestedData_IsAcceptedAndReturnedFlat()
    {
        var json = """{"inputs":[{"name":"x","shape":[2,2],"datatype":"INT32","data":[[1,2],[3,4]]}]}""";
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/echo/infer", json);
        Assert.Equal(HttpStatusCode.OK, status);
        using var doc = JsonDocument.Parse(body);
        var output = doc.RootElement.GetProperty("outputs")[0];
        Assert.Equal("[1,2,3,4]", output.GetProperty("data").GetRawText());
        Assert.Equal("[2,2]", output.GetProperty("shape").GetRawText());
    }

    [Fact]
    public async Task Infer_Fp32_IsPrintedAsDoubleOfFloat()
    {
        var json = """{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[6.8,6.0]}]}""";
        var (_, body, _) = await Http.PostJsonAsync("/v2/models/echo/infer", json);
        Assert.Contains("\"data\":[6.800000190734863,6.0]", body);
    }

    [Fact]
    public async Task Infer_NoId_GetsGeneratedUuid()
    {
        var json = """{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}]}""";
        var (_, body, _) = await Http.PostJsonAsync("/v2/models/echo/infer", json);
        using var doc = JsonDocument.Parse(body);
        Assert.True(Guid.TryParse(doc.RootElement.GetProperty("id").GetString(), out _));
    }

    [Fact]
    public async Task Infer_Parameters_RoundTripAllKinds()
    {
        var json = """{"parameters":{"s":"x","b":true,"i":3,"f":1.5},"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}]}""";
        var (_, body, _) = await Http.PostJsonAsync("/v2/models/echo/infer", json);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("""{"s":"x","b":true,"i":3,"f":1.5}""", doc.RootElement.GetProperty("parameters").GetRawText());
    }

    [Fact]
    public async Task Infer_RequestedOutputs_FilterAndOrder()
    {
        var json = """{"inputs":[{"name":"a","shape":[1],"datatype":"FP64","data":[2]},{"name":"b","shape":[1],"datatype":"FP64","data":[3]}],"outputs":[{"name":"product"},{"name":"sum"}]}""";
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/sum/infer", json);
        Assert.Equal(HttpStatusCode.OK, status);
        using var doc = JsonDocument.Parse(body);
        var names = doc.RootElement.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToList();
        Assert.Equal(["product", "sum"], names);
    }

    [Fact]
    public async Task Infer_UnknownRequestedOutput_Is400()
    {
        var json = """{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}],"outputs":[{"name":"nope"}]}""";
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/echo/infer", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Unexpected inference output 'nope' for model 'echo'", HttpTestExtensions.Error(body));
    }

    [Fact]
    public async Task Infer_UnknownInputName_Is400FromModel()
    {
        var json = """{"inputs":[{"name":"zzz","shape":[1],"datatype":"FP64","data":[1]}]}""";
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/sum/infer", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Unknown input 'zzz'", HttpTestExtensions.Error(body));
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"x","shape":[3],"datatype":"FP32","data":[1,2]}]}""", "needs 3 elements, but 'data' holds 2")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1,2]}]}""", "needs 1 elements, but 'data' holds 2")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"FP99","data":[1]}]}""", "unsupported datatype 'FP99'")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"FP16","data":[1]}]}""", "Sending FP16 data via JSON is not supported. Please use the binary data format for input x")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"BF16","data":[1]}]}""", "BF16 data via JSON is not supported")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT8","data":[300]}]}""", "not a valid INT8 value")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"BOOL","data":["yes"]}]}""", "not a valid BOOL value")]
    [InlineData("""{"inputs":[{"name":"x","shape":[-1],"datatype":"INT64","data":[1]}]}""", "dimensions must not be negative")]
    [InlineData("""{"inputs":[{"name":"x","datatype":"INT64","data":[1]}]}""", "missing the required field 'shape'")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT64"}]}""", "'data' field is missing for input 'x' for model 'echo'")]
    [InlineData("""{"outputs":[]}""", "the required field 'inputs' is missing")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}],"parameters":{"p":null}}""", "must be a string, number or boolean")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}],"parameters":{"p":[1]}}""", "must be a string, number or boolean")]
    [InlineData("""{"id":5,"inputs":[]}""", "'id' must be a string")]
    [InlineData("""{"inputs":[""", "Unrecognized request format")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","parameters":{"binary_data_size":8}}]}""", "no Inference-Header-Content-Length header")]
    public async Task Infer_BadRequests_Are400WithMessage(string json, string expected)
    {
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/echo/infer", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, HttpTestExtensions.Error(body));
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT¤64","data":[1]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}],"parameters":{"\ude00":1}}""")]
    public async Task Infer_TextThatIsNotUtf8_Is400(string json)
    {
        var (status, body) = await Http.PostNotUtf8Async("/v2/models/echo/infer", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Unrecognized request format: a JSON string is not valid UTF-8", HttpTestExtensions.Error(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_UnknownModel_Is404()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/nope/infer", """{"inputs":[]}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("""{"error":"Model with name nope does not exist."}""", body);
    }

    [Fact]
    public async Task Infer_ModelNotReady_Is503()
    {
        var (status, _, _) = await Http.PostJsonAsync("/v2/models/broken/infer", """{"inputs":[]}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
    }

    [Fact]
    public async Task Infer_BodyOverLimitByContentLength_Is413()
    {
        var padding = new string(' ', (int)ServerFixture.BodyLimit);
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/echo/infer", "{\"inputs\":[]}" + padding);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("exceeds the limit", HttpTestExtensions.Error(body));
    }

    [Fact]
    public async Task Infer_ChunkedBodyOverLimit_Is413()
    {
        var payload = Encoding.UTF8.GetBytes("{\"inputs\":[]}" + new string(' ', (int)ServerFixture.BodyLimit));
        using var content = new StreamContent(new MemoryStream(payload));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/echo/infer") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
