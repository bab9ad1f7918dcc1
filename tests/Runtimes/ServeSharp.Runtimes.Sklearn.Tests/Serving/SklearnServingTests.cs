using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ServeSharp.Server.Hosting;

namespace ServeSharp.Runtimes.Sklearn.Tests.Serving;

/// <summary>
/// scikit-learn models served over real HTTP by the model server: V1 and V2 predictions, string labels as BYTES,
/// V2 <c>pd</c> requests feeding a ColumnTransformer by column name, and a broken model that leaves the server up.
/// </summary>
public sealed class SklearnServingTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("servesharp-sklearn-serving-").FullName;
    private ModelServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        Place("iris", Path.Combine(FixturePaths.Models, "logreg_iris.joblib"), "model.joblib");
        Place("iris-names", Path.Combine(FixturePaths.Models, "logreg_str_iris.p4.pkl"), "model.pkl");
        Place("frame", Path.Combine(FixturePaths.Models, "pipe_columns_pd.gzip.joblib"), "model.joblib");
        Place("unsupported", Path.Combine(FixturePaths.Special, "unsupported_nearest_centroid.joblib"), "model.joblib");
        Place("evil", Path.Combine(FixturePaths.Hostile, "os_system.pkl"), "model.pickle");
        var options = new ModelServerOptions { Host = "127.0.0.1", HttpPort = 0, GrpcPort = 0, ModelRepositoryRoot = _root, ShutdownTimeout = TimeSpan.FromSeconds(5) };
        _server = ModelServer.Create(options, s => s.AddModelRuntime<SklearnRuntime>(), logging => logging.SetMinimumLevel(LogLevel.Warning));
        await _server.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_server.HttpPort}") };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task V2Infer_ReturnsInt64Labels()
    {
        var body = """{"inputs":[{"name":"input-0","shape":[2,4],"datatype":"FP64","data":[5.1,3.5,1.4,0.2,6.7,3.0,5.2,2.3]}]}""";

        var json = await PostJson("/v2/models/iris/infer", body);

        var output = json.GetProperty("outputs")[0];
        Assert.Equal("output-0", output.GetProperty("name").GetString());
        Assert.Equal("INT64", output.GetProperty("datatype").GetString());
        Assert.Equal(new long[] { 0, 2 }, output.GetProperty("data").EnumerateArray().Select(e => e.GetInt64()).ToArray());
    }

    [Fact]
    public async Task V1Predict_ReturnsPredictions()
    {
        var json = await PostJson("/v1/models/iris:predict", """{"instances":[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3]]}""");

        Assert.Equal(new long[] { 0, 2 }, json.GetProperty("predictions").EnumerateArray().Select(e => e.GetInt64()).ToArray());
    }

    [Fact]
    public async Task V2Infer_StringLabels_AreBytes()
    {
        var json = await PostJson("/v2/models/iris-names/infer",
            """{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}""");

        var output = json.GetProperty("outputs")[0];
        Assert.Equal("BYTES", output.GetProperty("datatype").GetString());
        Assert.Equal("setosa", output.GetProperty("data")[0].GetString());
    }

    [Fact]
    public async Task V2Infer_PdRequest_FeedsColumnTransformerByName()
    {
        var body = """
            {"parameters":{"content_type":"pd"},"inputs":[
              {"name":"colour","shape":[2],"datatype":"BYTES","data":["red","blue"]},
              {"name":"size","shape":[2],"datatype":"BYTES","data":["small","large"]},
              {"name":"sepal_length","shape":[2],"datatype":"FP64","data":[5.1,6.7]},
              {"name":"sepal_width","shape":[2],"datatype":"FP64","data":[3.5,3.0]},
              {"name":"petal_length","shape":[2],"datatype":"FP64","data":[1.4,5.2]},
              {"name":"petal_width","shape":[2],"datatype":"FP64","data":[0.2,2.3]}]}
            """;

        var json = await PostJson("/v2/models/frame/infer", body);

        var data = json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(new[] { "setosa", "virginica" }, data);
    }

    [Fact]
    public async Task V2Infer_PredictProbaParameter_ReturnsProbabilities()
    {
        var json = await PostJson("/v2/models/iris/infer",
            """{"parameters":{"predict_proba":true},"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP64","data":[5.1,3.5,1.4,0.2]}]}""");

        var output = json.GetProperty("outputs")[0];
        Assert.Equal("FP64", output.GetProperty("datatype").GetString());
        Assert.Equal(new long[] { 1, 3 }, output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray());
    }

    [Fact]
    public async Task V2Infer_WrongFeatureCount_Is400WithTheCount()
    {
        using var response = await _http.PostAsync("/v2/models/iris/infer", Content(
            """{"inputs":[{"name":"input-0","shape":[1,3],"datatype":"FP64","data":[5.1,3.5,1.4]}]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("expecting 4 features", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unsupported")]
    [InlineData("evil")]
    public async Task BrokenModel_IsNotReady_WhileOthersServe(string name)
    {
        using var ready = await _http.GetAsync($"/v2/models/{name}/ready");
        using var good = await _http.GetAsync("/v2/models/iris/ready");

        Assert.NotEqual(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.False(File.Exists("/tmp/servesharp-sklearn-hostile/os_system"));
    }

    private async Task<JsonElement> PostJson(string path, string body)
    {
        using var response = await _http.PostAsync(path, Content(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static StringContent Content(string body) => new(body, Encoding.UTF8, "application/json");

    private void Place(string name, string source, string fileName)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        File.Copy(source, Path.Combine(dir, fileName));
    }
}
