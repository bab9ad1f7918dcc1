using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using ServeSharp.Protocol.Grpc.Generated;
using ServeSharp.Server.Hosting;

namespace ServeSharp.Runtimes.Sklearn.Tests.Serving;

/// <summary>
/// KServe's "first InferenceService" example end to end: one sklearn iris model served as <c>--model_dir</c> with the
/// format detected, the documented request <c>{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}</c> sent over
/// V1 REST (with and without a JSON content type, as <c>curl -d</c> sends it), V2 REST and V2 gRPC; KServe answers
/// <c>{"predictions": [1, 1]}</c>.
/// </summary>
public sealed class KServeIrisExampleTests : IAsyncLifetime
{
    private const string Model = "sklearn-iris";
    private const string TwoRows = """{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}""";
    private readonly string _dir = Directory.CreateTempSubdirectory("servesharp-sklearn-iris-").FullName;
    private ModelServer _server = null!;
    private HttpClient _http = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        File.Copy(Path.Combine(FixturePaths.Models, "logreg_iris.joblib"), Path.Combine(_dir, "model.joblib"));
        var options = new ModelServerOptions
        {
            Host = "127.0.0.1",
            HttpPort = 0,
            GrpcPort = 0,
            ModelDirectory = _dir,
            ModelName = Model,
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        };
        _server = ModelServer.Create(options, s => s.AddModelRuntime<SklearnRuntime>(), logging => logging.SetMinimumLevel(LogLevel.Warning));
        await _server.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_server.HttpPort}") };
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_server.GrpcPort}");
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/x-www-form-urlencoded")] // what `curl -d @iris-input.json` sends
    [InlineData(null)]
    public async Task V1_DocumentedRequest_PredictsOneOne(string? contentType)
    {
        var (status, body) = await Post($"/v1/models/{Model}:predict", TwoRows, contentType);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"predictions":[1,1]}""", body);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task V1_SingleRow_PredictsOne(string contentType)
    {
        var (status, body) = await Post($"/v1/models/{Model}:predict", """{"instances": [[6.8,2.8,4.8,1.4]]}""", contentType);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"predictions":[1]}""", body);
    }

    [Fact]
    public async Task V1_FormBodyThatIsNotJson_IsClear400()
    {
        var (status, body) = await Post($"/v1/models/{Model}:predict", "a=1&b=2", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Content-Type: application/json", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V1_TextPlainJson_Is400NamingTheContentType()
    {
        var (status, body) = await Post($"/v1/models/{Model}:predict", TwoRows, "text/plain");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'text/plain'", body, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6]")]
    [InlineData("[[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]")] // KServe's documented V2 example nests the rows
    public async Task V2Rest_DocumentedRequest_PredictsOneOne(string data)
    {
        var request = $$"""{"inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32", "data": {{data}}}]}""";

        var (status, body) = await Post($"/v2/models/{Model}/infer", request, "application/json");

        Assert.Equal(HttpStatusCode.OK, status);
        var output = JsonDocument.Parse(body).RootElement.GetProperty("outputs")[0];
        Assert.Equal("INT64", output.GetProperty("datatype").GetString());
        Assert.Equal(new long[] { 1, 1 }, output.GetProperty("data").EnumerateArray().Select(e => e.GetInt64()).ToArray());
    }

    [Fact]
    public async Task V2Grpc_DocumentedRequest_PredictsOneOne()
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input-0", Datatype = "FP32", Shape = { 2, 4 } };
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.AddRange([6.8f, 2.8f, 4.8f, 1.4f, 6.0f, 3.4f, 4.5f, 1.6f]);
        var request = new ModelInferRequest { ModelName = Model, Inputs = { input } };

        var response = await client.ModelInferAsync(request);

        var output = Assert.Single(response.Outputs);
        Assert.Equal("INT64", output.Datatype);
        Assert.Equal(new long[] { 2 }, output.Shape.ToArray());
        var labels = response.RawOutputContents.Count == 1
            ? Enumerable.Range(0, 2).Select(i => BitConverter.ToInt64(response.RawOutputContents[0].Span[(i * 8)..])).ToArray()
            : output.Contents.Int64Contents.ToArray();
        Assert.Equal(new long[] { 1, 1 }, labels);
    }

    [Fact]
    public async Task V2Grpc_SingleRowRawContents_PredictsOne()
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input-0", Datatype = "FP64", Shape = { 1, 4 } };
        var raw = new double[] { 6.8, 2.8, 4.8, 1.4 }.SelectMany(BitConverter.GetBytes).ToArray();
        var request = new ModelInferRequest { ModelName = Model, Inputs = { input }, RawInputContents = { ByteString.CopyFrom(raw) } };

        var response = await client.ModelInferAsync(request);

        var output = Assert.Single(response.Outputs);
        var labels = response.RawOutputContents.Count == 1
            ? [BitConverter.ToInt64(response.RawOutputContents[0].Span)]
            : output.Contents.Int64Contents.ToArray();
        Assert.Equal(new long[] { 1 }, labels);
    }

    private async Task<(HttpStatusCode Status, string Body)> Post(string path, string body, string? contentType)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await _http.PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
