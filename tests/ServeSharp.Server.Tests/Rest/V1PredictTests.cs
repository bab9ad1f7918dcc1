using System.Net;
using System.Net.Http.Headers;

namespace ServeSharp.Server.Tests.Rest;

[Collection(ServerCollection.Name)]
public sealed class V1PredictTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Predict_Echo_ReturnsKServeBody()
    {
        var (status, body, response) = await Http.PostJsonAsync("/v1/models/echo:predict", """{"instances":[[1,2]]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"predictions":[[1,2]]}""", body);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Predict_IrisFloats_KeepShapeAndPrintFloatsLikeOrjson()
    {
        var (status, body, _) = await Http.PostJsonAsync(
            "/v1/models/echo:predict", """{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"predictions":[[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}""", body);
    }

    [Fact]
    public async Task Predict_InputsKeyWinsOverInstances()
    {
        var (_, body, _) = await Http.PostJsonAsync("/v1/models/echo:predict", """{"instances":[[9]],"inputs":[[true,false]]}""");
        Assert.Equal("""{"predictions":[[true,false]]}""", body);
    }

    [Fact]
    public async Task Predict_Strings_RoundTrip()
    {
        var (_, body, _) = await Http.PostJsonAsync("/v1/models/echo:predict", """{"instances":["héllo","x"]}""");
        Assert.Equal("""{"predictions":["héllo","x"]}""", body);
    }

    [Fact]
    public async Task Predict_ColumnDicts_GiveOneObjectPerRowWithPdContentType()
    {
        var (status, body, _) = await Http.PostJsonAsync(
            "/v1/models/echo:predict", """{"instances":[{"a":[1,2],"b":["x","y"]},{"a":[3],"b":["z"]}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"predictions":[{"a":1,"b":"x"},{"a":2,"b":"y"},{"a":3,"b":"z"}]}""", body);
    }

    [Fact]
    public async Task Predict_SeveralOutputs_GiveOneObjectPerRow()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v1/models/sum:predict", """{"instances":[{"a":[1,2],"b":[10,20]}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"predictions":[{"sum":11.0,"product":10.0},{"sum":22.0,"product":40.0}]}""", body);
    }

    [Fact]
    public async Task Predict_RawContentType_HandsBytesToModel()
    {
        using var content = new ByteArrayContent("hello"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        var response = await Http.PostAsync("/v1/models/echo:predict", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"predictions":["hello"]}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"instances":[[1,2],[3]]}""", "ragged")]
    [InlineData("""{"instances":[[1,2],[3,"a"]]}""", "mixes numbers and strings")]
    [InlineData("""{"instances":{"a":1}}""", "Expected \"instances\" to be a list")]
    [InlineData("""{"inputs":5}""", "Expected \"inputs\" to be a list")]
    [InlineData("""{"foo":[1]}""", "Unrecognized request format")]
    [InlineData("""{"instances":[[1,2]""", "Unrecognized request format")]
    [InlineData("""not json""", "Unrecognized request format")]
    [InlineData("""[1,2]""", "Unrecognized request format")]
    public async Task Predict_BadBodies_Are400WithMessage(string json, string expected)
    {
        var (status, body, _) = await Http.PostJsonAsync("/v1/models/echo:predict", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, HttpTestExtensions.Error(body));
    }

    [Theory]
    [InlineData("""{"instances":[{"a¤":1}]}""")]
    [InlineData("""{"\ud83d":1,"instances":[[1,2]]}""")]
    public async Task Predict_TextThatIsNotUtf8_Is400(string json)
    {
        var (status, body) = await Http.PostNotUtf8Async("/v1/models/echo:predict", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Unrecognized request format: a JSON string is not valid UTF-8", HttpTestExtensions.Error(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_UnknownModel_Is404()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v1/models/nope:predict", """{"instances":[[1]]}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("""{"error":"Model with name nope does not exist."}""", body);
    }

    [Fact]
    public async Task Predict_ModelNotReady_Is503()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v1/models/broken:predict", """{"instances":[[1]]}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith("Model with name broken is not ready.", HttpTestExtensions.Error(body));
    }

    [Fact]
    public async Task Predict_ModelThrows_Is500WithReason()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v1/models/fail:predict", """{"instances":[[1]]}""");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("""{"error":"matrix is singular"}""", body);
    }

    [Fact]
    public async Task Predict_InvalidInputFromModel_Is400()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v1/models/sum:predict", """{"instances":[[1,2]]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Unknown input 'input-0' for model 'sum'; expected inputs: a, b.", HttpTestExtensions.Error(body));
    }

    [Fact]
    public async Task Predict_BodyOverLimit_Is413()
    {
        var big = "{\"instances\":[" + string.Join(',', Enumerable.Repeat("1.0", (int)(ServerFixture.BodyLimit / 3))) + "]}";
        var (status, body, _) = await Http.PostJsonAsync("/v1/models/echo:predict", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("exceeds the limit of 1048576 bytes", HttpTestExtensions.Error(body));
    }

    [Fact]
    public async Task Explain_ExplainableModel_ReturnsOutputsByName()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v1/models/explain:explain", """{"instances":[[1,2],[3,4]]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"explanations":[3.0,7.0]}""", body);
    }

    [Fact]
    public async Task Explain_ModelWithoutExplainer_Is501()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v1/models/echo:explain", """{"instances":[[1,2]]}""");
        Assert.Equal(HttpStatusCode.NotImplemented, status);
        Assert.Equal("""{"error":"Could not find explainer_host."}""", body);
    }
}
