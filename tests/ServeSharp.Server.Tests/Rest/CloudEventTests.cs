using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ServeSharp.Server.Rest.CloudEvents;

namespace ServeSharp.Server.Tests.Rest;

/// <summary>CloudEvents on the V1 path, after KServe's <c>TestTFHttpServerCloudEvent*</c> tests.</summary>
[Collection(ServerCollection.Name)]
public sealed class CloudEventTests(ServerFixture fixture)
{
    private const string RequestId = "36077800-0c23-4f38-a0b4-01f4369f670a";

    [Fact]
    public async Task BinaryEvent_GetsBinaryEventWithNewIdAndKServeDefaults()
    {
        using var request = BinaryEvent("""{"instances":[[1,2]]}""", "application/json");
        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"predictions": [[1, 2]]}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("1.0", Header(response, "ce-specversion"));
        Assert.Equal("io.kserve.inference.echo", Header(response, "ce-source"));
        Assert.Equal(CloudEventOptions.DefaultType, Header(response, "ce-type"));
        var id = Header(response, "ce-id");
        Assert.NotEqual(RequestId, id);
        Assert.True(Guid.TryParse(id, out _), id);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", Header(response, "ce-time"));
    }

    [Fact]
    public async Task BinaryEvent_ClaimingJsonButNotJson_Gets400()
    {
        using var request = BinaryEvent("{\"instances\": [[1,2]", "application/json");
        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Failed to decode or parse binary json cloudevent:", HttpTestExtensions.Error(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BinaryEvent_WithNonJsonData_HandsTheRawBytesToTheModel()
    {
        using var request = BinaryEvent("plain words", "text/plain");
        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"predictions": ["plain words"]}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("1.0", Header(response, "ce-specversion"));
    }

    [Theory]
    [InlineData("""{"id":"1","source":"s","specversion":"1.0","type":"t","\ud83d":1,"data":{"instances":[[1,2]]}}""")]
    [InlineData("""{"id":"1","source":"s","specversion":"1.0","type":"t","x¤":1,"data":{"instances":[[1,2]]}}""")]
    public async Task StructuredEvent_WithANameThatIsNotText_Gets400(string body)
    {
        var (status, text) = await fixture.Http.PostNotUtf8Async("/v1/models/echo:predict", body, "application/cloudevents+json");

        // Not an event envelope, so the body is read as a V1 request, which it is not either (500 before: the JSON
        // reader's InvalidOperationException escaped).
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Unrecognized request format:", HttpTestExtensions.Error(text), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StructuredEvent_GetsStructuredEventAroundThePredictions()
    {
        var body = $$$"""{"id":"{{{RequestId}}}","source":"https://example.com/event-producer","specversion":"1.0","type":"com.example.sampletype1","time":"2021-01-28T21:04:43.144141+00:00","data":{"instances":[["héllo","x"]]}}""";
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var response = await fixture.Http.PostAsync("/v1/models/echo:predict", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/cloudevents+json", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("""  "data": {"predictions": [["h\u00e9llo", "x"]]}""".Trim(), text, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal("io.kserve.inference.echo", root.GetProperty("source").GetString());
        Assert.Equal(CloudEventOptions.DefaultType, root.GetProperty("type").GetString());
        Assert.NotEqual(RequestId, root.GetProperty("id").GetString());
        Assert.Equal("héllo", root.GetProperty("data").GetProperty("predictions")[0][0].GetString());
    }

    [Fact]
    public async Task StructuredEventSentAsPlainJson_GetsThePlainAnswer()
    {
        var body = """{"id":"1","source":"s","specversion":"1.0","type":"t","time":"2021-01-28T21:04:43+00:00","data":{"instances":[[1,2]]}}""";
        var (status, text, response) = await fixture.Http.PostJsonAsync("/v1/models/echo:predict", body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"predictions":[[1,2]]}""", text);
        Assert.False(response.Headers.Contains("ce-id"));
    }

    [Fact]
    public async Task MergeAndCustomLabels_CopyTheRequestAttributesButNotItsIdOrTime()
    {
        await using var server = await ServerFixture.StartServerAsync(o =>
        {
            o.ModelRepositoryRoot = fixture.Root;
            o.CloudEvents = CloudEventOptions.FromEnvironment(name => name switch
            {
                "CE_MERGE" => "True",
                "CE_TYPE" => "com.example.answer",
                "CE_SOURCE" => "urn:models:echo",
                _ => null,
            });
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}") };

        using var binary = BinaryEvent("""{"instances":[[1]]}""", "application/json");
        binary.Headers.Add("ce-myextension", "kept");
        using var binaryResponse = await http.SendAsync(binary);
        Assert.Equal(HttpStatusCode.OK, binaryResponse.StatusCode);
        Assert.Equal("kept", Header(binaryResponse, "ce-myextension"));
        Assert.Equal("com.example.answer", Header(binaryResponse, "ce-type"));
        Assert.Equal("urn:models:echo", Header(binaryResponse, "ce-source"));
        Assert.NotEqual(RequestId, Header(binaryResponse, "ce-id"));
        Assert.NotEqual("2021-01-28T21:04:43.144141+00:00", Header(binaryResponse, "ce-time"));
        Assert.False(binaryResponse.Headers.Contains("ce-datacontenttype"));

        var body = $$$"""{"id":"{{{RequestId}}}","source":"s","specversion":"1.0","type":"t","time":"2021-01-28T21:04:43+00:00","myextension":"kept","data":{"instances":[[1]]}}""";
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var structured = await http.PostAsync("/v1/models/echo:predict", content);
        using var doc = JsonDocument.Parse(await structured.Content.ReadAsStringAsync());
        Assert.Equal("kept", doc.RootElement.GetProperty("myextension").GetString());
        Assert.Equal("com.example.answer", doc.RootElement.GetProperty("type").GetString());
        Assert.NotEqual(RequestId, doc.RootElement.GetProperty("id").GetString());
        Assert.NotEqual("2021-01-28T21:04:43+00:00", doc.RootElement.GetProperty("time").GetString());
    }

    [Fact]
    public void Environment_DefaultsAreKServes()
    {
        var options = CloudEventOptions.FromEnvironment(_ => null);
        Assert.Equal("io.kserve.inference.response", options.Type);
        Assert.Equal("io.kserve.inference.iris", options.SourceFor("iris"));
        Assert.False(options.Merge);
    }

    private static HttpRequestMessage BinaryEvent(string body, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/echo:predict")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-source", "https://example.com/event-producer");
        request.Headers.Add("ce-type", "com.example.sampletype1");
        request.Headers.Add("ce-id", RequestId);
        request.Headers.Add("ce-time", "2021-01-28T21:04:43.144141+00:00");
        return request;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : throw new Xunit.Sdk.XunitException($"no {name} header");
}
