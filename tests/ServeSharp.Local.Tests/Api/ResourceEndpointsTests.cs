using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ServeSharp.Local.Api;

namespace ServeSharp.Local.Tests.Api;

public sealed class ResourceEndpointsTests
{
    private const string IsvcPath = "/apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices";

    private static StringContent Json(string json, string mediaType = "application/json") =>
        new(json, Encoding.UTF8, new MediaTypeHeaderValue(mediaType));

    private static string Isvc(string name, string uri = "gs://a/b") =>
        $$$"""{"apiVersion":"serving.kserve.io/v1beta1","kind":"InferenceService","metadata":{"name":"{{{name}}}"},"spec":{"predictor":{"model":{"modelFormat":{"name":"sklearn"},"storageUri":"{{{uri}}}"} } } }""";

    private static async Task<JsonObject> BodyAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    [Fact]
    public async Task CreateGetList_RoundTrip()
    {
        await using var api = await ControlApiFixture.StartAsync();

        var created = await api.Client.PostAsync(IsvcPath, Json(Isvc("iris")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var get = await api.Client.GetAsync($"{IsvcPath}/iris");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var obj = await BodyAsync(get);
        Assert.Equal("1", (string?)obj["metadata"]!["resourceVersion"]);
        Assert.Equal("default", (string?)obj["metadata"]!["namespace"]);

        var list = await BodyAsync(await api.Client.GetAsync(IsvcPath));
        Assert.Equal("InferenceServiceList", (string?)list["kind"]);
        Assert.Single(list["items"]!.AsArray());
        var all = await BodyAsync(await api.Client.GetAsync("/apis/serving.kserve.io/v1beta1/inferenceservices"));
        Assert.Single(all["items"]!.AsArray());
    }

    [Fact]
    public async Task Errors_AreKubernetesStatusBodies()
    {
        await using var api = await ControlApiFixture.StartAsync();
        await api.Client.PostAsync(IsvcPath, Json(Isvc("iris")));

        var missing = await api.Client.GetAsync($"{IsvcPath}/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var missingBody = await BodyAsync(missing);
        Assert.Equal("Status", (string?)missingBody["kind"]);
        Assert.Equal("NotFound", (string?)missingBody["reason"]);
        Assert.Equal(404, (int)missingBody["code"]!);
        Assert.Equal("inferenceservices.serving.kserve.io \"nope\" not found", (string?)missingBody["message"]);

        var duplicate = await api.Client.PostAsync(IsvcPath, Json(Isvc("iris")));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("AlreadyExists", (string?)(await BodyAsync(duplicate))["reason"]);

        var badJson = await api.Client.PostAsync(IsvcPath, Json("{not json"));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Contains("not valid JSON", (string?)(await BodyAsync(badJson))["message"], StringComparison.Ordinal);

        var wrongKind = await api.Client.PostAsync(IsvcPath, Json("""{"apiVersion":"serving.kserve.io/v1beta1","kind":"Pod","metadata":{"name":"x"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind.StatusCode);

        var unknown = await api.Client.GetAsync("/apis/serving.kserve.io/v1beta1/namespaces/default/widgets");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("a\\ud800")] // a lone surrogate escape
    [InlineData("a\u00ff")] // stands for the byte 0xFF, which UTF-8 never uses
    public async Task Post_WithAStringThatIsNotText_Is400NotAServerError(string name)
    {
        await using var api = await ControlApiFixture.StartAsync();
        var text = """{"apiVersion":"serving.kserve.io/v1beta1","kind":"InferenceService","metadata":{"name":"NAME"},"spec":{"predictor":{"model":{"modelFormat":{"name":"onnx"},"storageUri":"gs://a"}}}}"""
            .Replace("NAME", name, StringComparison.Ordinal);
        using var content = new ByteArrayContent(System.Text.Encoding.Latin1.GetBytes(text));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await api.Client.PostAsync(IsvcPath, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("the request body is not valid JSON: a string is not valid UTF-8 or holds an invalid \\u escape", (string?)(await BodyAsync(response))["message"]);
    }

    [Fact]
    public async Task Put_WithStaleResourceVersion_Is409Conflict()
    {
        await using var api = await ControlApiFixture.StartAsync();
        await api.Client.PostAsync(IsvcPath, Json(Isvc("iris")));
        var v1 = await BodyAsync(await api.Client.GetAsync($"{IsvcPath}/iris"));
        var v2 = (JsonObject)v1.DeepClone();
        v2["spec"]!["predictor"]!["model"]!["storageUri"] = "gs://a/v2";
        Assert.Equal(HttpStatusCode.OK, (await api.Client.PutAsync($"{IsvcPath}/iris", Json(v2.ToJsonString()))).StatusCode);

        var stale = (JsonObject)v1.DeepClone();
        stale["spec"]!["predictor"]!["model"]!["storageUri"] = "gs://a/v3";
        var response = await api.Client.PutAsync($"{IsvcPath}/iris", Json(stale.ToJsonString()));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("Conflict", (string?)(await BodyAsync(response))["reason"]);
    }

    [Fact]
    public async Task MergePatch_UpdatesSpecAndStatusSubresourceSeparately()
    {
        await using var api = await ControlApiFixture.StartAsync();
        await api.Client.PostAsync(IsvcPath, Json(Isvc("iris")));

        var patched = await api.Client.PatchAsync(
            $"{IsvcPath}/iris",
            Json("""{"spec":{"predictor":{"canaryTrafficPercent":10}},"status":{"url":"ignored"}}""", "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var afterSpec = await BodyAsync(patched);
        Assert.Equal(10, (int)afterSpec["spec"]!["predictor"]!["canaryTrafficPercent"]!);
        Assert.Equal("gs://a/b", (string?)afterSpec["spec"]!["predictor"]!["model"]!["storageUri"]);
        Assert.Equal(2, (long)afterSpec["metadata"]!["generation"]!);
        Assert.Null(afterSpec["status"]);

        var status = await api.Client.PatchAsync(
            $"{IsvcPath}/iris/status",
            Json("""{"status":{"url":"http://iris.default.example.com"}}""", "application/merge-patch+json"));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var afterStatus = await BodyAsync(status);
        Assert.Equal("http://iris.default.example.com", (string?)afterStatus["status"]!["url"]);
        Assert.Equal(2, (long)afterStatus["metadata"]!["generation"]!);

        var wrongType = await api.Client.PatchAsync($"{IsvcPath}/iris", Json("""[{"op":"remove","path":"/spec"}]""", "application/json-patch+json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
    }

    [Fact]
    public async Task Delete_RemovesObject()
    {
        await using var api = await ControlApiFixture.StartAsync();
        await api.Client.PostAsync(IsvcPath, Json(Isvc("iris")));

        Assert.Equal(HttpStatusCode.OK, (await api.Client.DeleteAsync($"{IsvcPath}/iris")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Client.GetAsync($"{IsvcPath}/iris")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Client.DeleteAsync($"{IsvcPath}/iris")).StatusCode);
    }

    [Fact]
    public async Task ClusterScopedKind_UsesRouteWithoutNamespace()
    {
        await using var api = await ControlApiFixture.StartAsync();
        const string path = "/apis/serving.kserve.io/v1alpha1/clusterservingruntimes";

        var created = await api.Client.PostAsync(path, Json("""{"metadata":{"name":"kserve-sklearnserver"},"spec":{"containers":[]}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync($"{path}/kserve-sklearnserver")).StatusCode);
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await api.Client.GetAsync("/apis/serving.kserve.io/v1alpha1/namespaces/default/clusterservingruntimes")).StatusCode);
    }

    [Fact]
    public async Task Admission_DenialIs422WithCauses_AndMutationIsStored()
    {
        await using var api = await ControlApiFixture.StartAsync(new RequireStorageUriHook());

        var denied = await api.Client.PostAsync(IsvcPath, Json("""{"metadata":{"name":"bad"},"spec":{"predictor":{}}}"""));
        Assert.Equal((HttpStatusCode)422, denied.StatusCode);
        var body = await BodyAsync(denied);
        Assert.Equal("Invalid", (string?)body["reason"]);
        Assert.Equal("spec.predictor.model.storageUri: Required value", (string?)body["details"]!["causes"]![0]!["message"]);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Client.GetAsync($"{IsvcPath}/bad")).StatusCode);

        await api.Client.PostAsync(IsvcPath, Json(Isvc("good")));
        var stored = await BodyAsync(await api.Client.GetAsync($"{IsvcPath}/good"));
        Assert.Equal("sklearn", (string?)stored["metadata"]!["annotations"]!["modelFormat"]);

        var badPatch = await api.Client.PatchAsync($"{IsvcPath}/good", Json("""{"spec":{"predictor":{"model":null}}}""", "application/merge-patch+json"));
        Assert.Equal((HttpStatusCode)422, badPatch.StatusCode);
        var unchanged = await BodyAsync(await api.Client.GetAsync($"{IsvcPath}/good"));
        Assert.Equal("gs://a/b", (string?)unchanged["spec"]!["predictor"]!["model"]!["storageUri"]);
    }

    [Fact]
    public async Task Watch_StreamsJsonLines()
    {
        await using var api = await ControlApiFixture.StartAsync();
        await api.Client.PostAsync(IsvcPath, Json(Isvc("existing")));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var response = await api.Client.GetAsync($"{IsvcPath}?watch=true", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var first = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;
        Assert.Equal("ADDED", (string?)first["type"]);
        Assert.Equal("existing", (string?)first["object"]!["metadata"]!["name"]);

        await api.Client.PostAsync(IsvcPath, Json(Isvc("second")));
        await api.Client.DeleteAsync($"{IsvcPath}/existing");
        var second = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;
        var third = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;
        Assert.Equal(("ADDED", "second"), ((string?)second["type"], (string?)second["object"]!["metadata"]!["name"]));
        Assert.Equal(("DELETED", "existing"), ((string?)third["type"], (string?)third["object"]!["metadata"]!["name"]));
    }

    [Fact]
    public async Task Watch_FromResourceVersion_ResumesAfterIt()
    {
        await using var api = await ControlApiFixture.StartAsync();
        await api.Client.PostAsync(IsvcPath, Json(Isvc("a")));
        await api.Client.PostAsync(IsvcPath, Json(Isvc("b")));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var response = await api.Client.GetAsync($"{IsvcPath}?watch=true&resourceVersion=1", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var first = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;
        Assert.Equal("b", (string?)first["object"]!["metadata"]!["name"]);
    }

    private sealed class RequireStorageUriHook : IAdmissionHook
    {
        public ValueTask<AdmissionResult> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
        {
            if (request.Object is null)
            {
                return ValueTask.FromResult(AdmissionResult.Allow());
            }

            if (request.Object["spec"]?["predictor"]?["model"]?["storageUri"] is null)
            {
                return ValueTask.FromResult(AdmissionResult.Deny("spec.predictor.model.storageUri: Required value"));
            }

            var meta = request.Object["metadata"]!.AsObject();
            meta["annotations"] = new JsonObject { ["modelFormat"] = "sklearn" };
            return ValueTask.FromResult(AdmissionResult.Allow());
        }
    }
}
