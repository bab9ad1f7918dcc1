using System.Net;
using System.Text.Json;

namespace ServeSharp.Server.Tests.Rest;

[Collection(ServerCollection.Name)]
public sealed class RestRoutesTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Theory]
    [InlineData("/", """{"status":"alive"}""")]
    [InlineData("/v2/health/live", """{"live":true}""")]
    [InlineData("/v1/models/echo", """{"name":"echo","ready":true}""")]
    [InlineData("/v2/models/echo/ready", """{"name":"echo","ready":true}""")]
    public async Task Get_HealthRoutes_ReturnKServeBodies(string path, string expected)
    {
        var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ServerReady_WithSomeModelsReady_IsTrue()
    {
        var (status, body) = await Http.GetStringAsync2("/v2/health/ready");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"ready":true}""", body);
    }

    [Fact]
    public async Task ServerMetadata_ListsExtensions()
    {
        var (status, body) = await Http.GetStringAsync2("/v2");
        Assert.Equal(HttpStatusCode.OK, status);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("servesharp", doc.RootElement.GetProperty("name").GetString());
        var extensions = doc.RootElement.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("model_repository_extension", extensions);
        Assert.Contains("binary_tensor_data", extensions);
    }

    [Theory]
    [InlineData("/v1/models")]
    [InlineData("/v2/models")]
    public async Task ListModels_ReturnsAllModelsInRegistrationOrder(string path)
    {
        var (status, body) = await Http.GetStringAsync2(path);
        Assert.Equal(HttpStatusCode.OK, status);
        using var doc = JsonDocument.Parse(body);
        var names = doc.RootElement.GetProperty("models").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["FP16OutputModel", "broken", "echo", "explain", "fail", "sum"], names.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task ModelMetadata_ReturnsKServeLayout()
    {
        var (status, body) = await Http.GetStringAsync2("/v2/models/sum");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            """{"name":"sum","versions":null,"platform":"","inputs":[{"name":"a","datatype":"FP64","shape":[-1]},{"name":"b","datatype":"FP64","shape":[-1]}],"outputs":[{"name":"sum","datatype":"FP64","shape":[-1]},{"name":"product","datatype":"FP64","shape":[-1]}]}""",
            body);
    }

    [Theory]
    [InlineData("/v1/models/nope")]
    [InlineData("/v2/models/nope")]
    [InlineData("/v2/models/nope/ready")]
    public async Task UnknownModel_Is404WithKServeMessage(string path)
    {
        var (status, body) = await Http.GetStringAsync2(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("""{"error":"Model with name nope does not exist."}""", body);
    }

    [Theory]
    [InlineData("/v1/models/broken")]
    [InlineData("/v2/models/broken/ready")]
    [InlineData("/v2/models/broken")]
    public async Task FailedModel_Is503WithReason(string path)
    {
        var (status, body) = await Http.GetStringAsync2(path);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var error = HttpTestExtensions.Error(body);
        Assert.StartsWith("Model with name broken is not ready. ", error);
        Assert.Contains("unknown test model kind 'nonsense'", error);
    }

    [Fact]
    public async Task UnknownPath_Is404Detail()
    {
        var (status, body) = await Http.GetStringAsync2("/v3/whatever");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("""{"detail":"Not Found"}""", body);
    }

    [Fact]
    public async Task WrongVerb_Is405Detail()
    {
        var (status, body) = await Http.GetStringAsync2("/v2/models/echo/infer");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        Assert.Equal("""{"detail":"Method Not Allowed"}""", body);
    }

    [Theory]
    [InlineData("/v2/models/echo/versions/1")]
    [InlineData("/v2/models/echo/versions/1/ready")]
    public async Task Versions_Get_Are501(string path)
    {
        var (status, body) = await Http.GetStringAsync2(path);
        Assert.Equal(HttpStatusCode.NotImplemented, status);
        Assert.Equal("""{"error":"Model versioning not supported yet."}""", body);
    }

    [Fact]
    public async Task Versions_Infer_Is501()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/echo/versions/2/infer", """{"inputs":[]}""");
        Assert.Equal(HttpStatusCode.NotImplemented, status);
        Assert.Equal("""{"error":"Model versioning not supported yet."}""", body);
    }

    [Fact]
    public async Task RepositoryIndex_ListsStatesAndReasons()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v2/repository/index", "");
        Assert.Equal(HttpStatusCode.OK, status);
        using var doc = JsonDocument.Parse(body);
        var byName = doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Equal("READY", byName["echo"].GetProperty("state").GetString());
        Assert.Equal("", byName["echo"].GetProperty("reason").GetString());
        Assert.Equal("UNAVAILABLE", byName["broken"].GetProperty("state").GetString());
        Assert.Contains("nonsense", byName["broken"].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task RepositoryIndex_ReadyFilter_OmitsFailedModels()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v2/repository/index", """{"ready":true}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("broken", body);
        Assert.Contains("echo", body);
    }

    [Fact]
    public async Task RequestId_IsEchoed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/health/live");
        request.Headers.Add("x-request-id", "abc-123");
        var response = await Http.SendAsync(request);
        Assert.Equal("abc-123", Assert.Single(response.Headers.GetValues("x-request-id")));
    }

    [Fact]
    public async Task Metrics_ExposeKServeHistogramsAndCounters()
    {
        var (status, _, _) = await Http.PostJsonAsync("/v1/models/echo:predict", """{"instances":[[1,2]]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var response = await Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("request_predict_seconds_bucket{model_name=\"echo\",le=\"0.005\"}", text);
        Assert.Contains("request_preprocess_seconds_count{model_name=\"echo\"}", text);
        Assert.Contains("request_postprocess_seconds_count{model_name=\"echo\"}", text);
        Assert.Contains("servesharp_requests_total{protocol=\"v1\",status=\"200\"}", text);
    }
}
