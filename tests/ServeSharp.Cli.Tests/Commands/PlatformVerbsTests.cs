using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ServeSharp.Cli.Tests.Infrastructure;

namespace ServeSharp.Cli.Tests.Commands;

/// <summary>One real <c>servesharp up</c> daemon for the verb tests (started once per class, stopped with SIGTERM).</summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("servesharp-cli-up-").FullName;

    public PlatformDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync() => Daemon = await PlatformDaemon.StartAsync(Path.Combine(Directory, "data"));

    public async Task DisposeAsync()
    {
        await Daemon.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A log file may still be closing; the temp cleaner gets it.
        }
    }
}

/// <summary>
/// The platform verbs as a user runs them: the real <c>servesharp</c> binary against a real <c>servesharp up</c>,
/// serving the bundled ONNX examples with real <c>servesharp serve</c> replicas, called through the ingress.
/// </summary>
public sealed class PlatformVerbsTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private static readonly string Example = Path.Combine(CliProcess.RepositoryRoot, "examples", "iris-onnx");
    private static readonly string ProbaExample = Path.Combine(CliProcess.RepositoryRoot, "examples", "iris-onnx-proba");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private PlatformDaemon Daemon => fixture.Daemon;

    private Task<(int Code, string Out, string Err)> Cli(params string[] args) =>
        CliProcess.RunAsync(null, [.. args, .. args[0] == "logs" ? new[] { "--data-dir", Daemon.DataDirectory } : ["--server", Daemon.Server]]);

    private string Manifest(string name, string text)
    {
        var path = Path.Combine(fixture.Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Isvc(string name, string modelDir, string extra = "") => $"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: {name}
        spec:
          predictor:
        {extra}    model:
              modelFormat:
                name: onnx
              storageUri: file://{modelDir}
        """;

    private async Task<JsonObject?> GetIsvcAsync(string name)
    {
        using var response = await _http.GetAsync(new Uri($"{Daemon.Server}/apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices/{name}"));
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<JsonObject>();
    }

    private async Task<JsonObject> WaitAsync(string name, Func<JsonObject, bool> until, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var isvc = await GetIsvcAsync(name);
            if (isvc is not null && until(isvc))
            {
                return isvc;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: {isvc?["status"]?.ToJsonString()}");
            }

            await Task.Delay(200);
        }
    }

    private static string? Condition(JsonObject isvc, string type) =>
        isvc["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c!["type"] == type)?["status"]?.GetValue<string>();

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string host, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Daemon.Ingress, path)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Host = host;
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    private async Task<string> ListNamesAsync() =>
        string.Join(",", (await _http.GetFromJsonAsync<JsonObject>(new Uri($"{Daemon.Server}/apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices")))!["items"]!
            .AsArray().Select(i => (string?)i!["metadata"]!["name"]).Order());

    [Fact]
    public async Task Apply_Get_Describe_Logs_Predict_Explain501_Delete()
    {
        var request = await File.ReadAllTextAsync(Path.Combine(Example, "v1-request.json"));
        var applied = await Cli("apply", "-f", Manifest("iris.yaml", Isvc("verbs-iris", Example)));
        Assert.Equal((0, "inferenceservice.serving.kserve.io/verbs-iris created\n", string.Empty), applied);
        await WaitAsync("verbs-iris", i => Condition(i, "Ready") == "True", "verbs-iris ready");

        // Applying the same file again changes nothing.
        Assert.Equal("inferenceservice.serving.kserve.io/verbs-iris unchanged\n", (await Cli("apply", "-f", Path.Combine(fixture.Directory, "iris.yaml"))).Out);

        var table = await Cli("get", "isvc", "verbs-iris");
        Assert.Equal(0, table.Code);
        var lines = table.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(["NAME", "URL", "READY", "PREV", "LATEST", "PREVROLLEDOUTREVISION", "LATESTREADYREVISION", "AGE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["verbs-iris", "http://verbs-iris.default.example.com", "True", "100", "verbs-iris-predictor-00001"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]);
        var wide = await Cli("get", "isvc", "verbs-iris", "-o", "wide");
        Assert.Equal(lines.Select(WithoutAge), wide.Out.TrimEnd('\n').Split('\n').Select(WithoutAge));

        var json = await Cli("get", "isvc", "verbs-iris", "-o", "json");
        var parsed = JsonNode.Parse(json.Out)!.AsObject();
        Assert.Equal(("InferenceService", "True"), ((string?)parsed["kind"], Condition(parsed, "Ready")));
        Assert.Equal("verbs-iris-predictor-00001", (string?)parsed["status"]!["components"]!["predictor"]!["latestReadyRevision"]);

        var yaml = await Cli("get", "isvc", "verbs-iris", "-o", "yaml");
        Assert.Contains("kind: InferenceService\n", yaml.Out, StringComparison.Ordinal);
        Assert.Contains("  name: verbs-iris\n", yaml.Out, StringComparison.Ordinal);
        Assert.Contains("url: http://verbs-iris.default.example.com\n", yaml.Out, StringComparison.Ordinal);

        // SERVESHARP_SERVER is how verbs find the daemon without --server.
        var viaEnv = await CliProcess.RunAsync(new Dictionary<string, string> { ["SERVESHARP_SERVER"] = Daemon.Server }, "get", "isvc");
        Assert.Contains("verbs-iris", viaEnv.Out, StringComparison.Ordinal);

        var describe = await Cli("describe", "isvc", "verbs-iris");
        Assert.Equal(0, describe.Code);
        Assert.Contains("Name:         verbs-iris\n", describe.Out, StringComparison.Ordinal);
        Assert.Contains("  Ready                   True\n", describe.Out, StringComparison.Ordinal);
        Assert.Contains("  Latest ready revision:      verbs-iris-predictor-00001\n", describe.Out, StringComparison.Ordinal);
        Assert.Contains("    100%  verbs-iris-predictor-00001  latest\n", describe.Out, StringComparison.Ordinal);

        // The model answers through the ingress; :explain reaches the predictor, which has no explainer (KServe's 501).
        var (status, body) = await PostAsync("verbs-iris.default.example.com", "/v1/models/verbs-iris:predict", request);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body["predictions"]!.AsArray().Count);
        var (explainStatus, explainBody) = await PostAsync("verbs-iris.default.example.com", "/v1/models/verbs-iris:explain", request);
        Assert.Equal(HttpStatusCode.NotImplemented, explainStatus);
        Assert.Equal("Could not find explainer_host.", (string?)explainBody["error"]);

        var logs = await Cli("logs", "verbs-iris");
        Assert.Equal(0, logs.Code);
        Assert.Contains("==> default.verbs-iris-predictor-00001-", logs.Out, StringComparison.Ordinal);

        var deleted = await Cli("delete", "isvc", "verbs-iris");
        Assert.Equal(0, deleted.Code);
        Assert.Contains("verbs-iris", deleted.Out, StringComparison.Ordinal);
        var gone = await Cli("get", "isvc", "verbs-iris");
        Assert.Equal(1, gone.Code);
        Assert.StartsWith("Error from server (NotFound)", gone.Err, StringComparison.Ordinal);
        await WaitAsync404Async("verbs-iris.default.example.com");
    }

    private static string WithoutAge(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]);

    private async Task WaitAsync404Async(string host)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Daemon.Ingress, "/v2/health/ready"));
            request.Headers.Host = host;
            using var response = await _http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{host} still routed");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Apply_InvalidYaml_ClearError_NothingStored()
    {
        var before = await ListNamesAsync();

        var result = await Cli("apply", "-f", Manifest("broken.yaml", "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: broken\nspec: [\n"));

        Assert.Equal(1, result.Code);
        Assert.StartsWith("error: error parsing ", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
        Assert.Equal(before, await ListNamesAsync());
    }

    [Fact]
    public async Task Apply_AdmissionDenied_ShowsTheWebhookMessage_NothingChanged()
    {
        var created = await Cli("apply", "-f", Manifest("deny-ok.yaml", Isvc("deny-me", Example)));
        Assert.Equal(0, created.Code);
        var stored = (await GetIsvcAsync("deny-me"))!;

        // An update that breaks a validation rule is refused with KServe's message; the stored object is untouched.
        var update = await Cli("apply", "-f", Manifest("deny-bad.yaml", Isvc("deny-me", Example, "    minReplicas: 3\n    maxReplicas: 1\n")));
        Assert.Equal(1, update.Code);
        Assert.Contains("admission webhook \"inferenceservice.kserve-webhook-server.validator\" denied the request", update.Err, StringComparison.Ordinal);
        Assert.Contains("'MinReplicas' cannot be greater than MaxReplicas", update.Err, StringComparison.Ordinal);
        var after = (await GetIsvcAsync("deny-me"))!;
        // (resourceVersion moves with the reconciler's status writes; generation and spec only with spec changes.)
        Assert.Equal((long?)stored["metadata"]!["generation"], (long?)after["metadata"]!["generation"]);
        Assert.True(JsonNode.DeepEquals(stored["spec"], after["spec"]), after["spec"]!.ToJsonString());
        Assert.Null(after["spec"]!["predictor"]!["minReplicas"]);

        // A create with an invalid name is refused and nothing appears.
        var names = await ListNamesAsync();
        var badName = await Cli("apply", "-f", Manifest("deny-name.yaml", Isvc("Bad_Name", Example)));
        Assert.Equal(1, badName.Code);
        Assert.Contains("a InferenceService name must consist of lower case alphanumeric characters or '-'", badName.Err, StringComparison.Ordinal);
        Assert.Equal(names, await ListNamesAsync());

        Assert.Equal(0, (await Cli("delete", "isvc", "deny-me")).Code);
    }

    [Fact]
    public async Task Canary_ThenPromoteVerb_ThenRollbackFlag()
    {
        var request = await File.ReadAllTextAsync(Path.Combine(Example, "v1-request.json"));
        Assert.Equal(0, (await Cli("apply", "-f", Manifest("promote-v1.yaml", Isvc("promo", Example)))).Code);
        await WaitAsync("promo", i => Condition(i, "Ready") == "True", "v1 ready");

        // v2 answers probabilities (a different model), with 10% of traffic.
        Assert.Equal(0, (await Cli("apply", "-f", Manifest("promote-v2.yaml", Isvc("promo", ProbaExample, "    canaryTrafficPercent: 10\n")))).Code);
        await WaitAsync("promo", i => i["status"]?["components"]?["predictor"]?["traffic"]?.AsArray().Count == 2, "canary split");
        var table = (await Cli("get", "isvc", "promo")).Out.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["True", "90", "10"], table[2..5]);

        // --rollback sets canaryTrafficPercent 0: the previous rolled-out revision takes everything again.
        var rolledBack = await Cli("promote", "promo", "--rollback");
        Assert.Equal((0, "inferenceservice.serving.kserve.io/promo rolled back\n"), (rolledBack.Code, rolledBack.Out));
        await WaitAsync("promo", i => i["status"]?["components"]?["predictor"]?["traffic"]?.AsArray().Any(t => (string?)t!["revisionName"] == "promo-predictor-00001" && (long?)t["percent"] == 100) == true, "rolled back");
        for (var i = 0; i < 10; i++)
        {
            var (_, body) = await PostAsync("promo.default.example.com", "/v1/models/promo:predict", request);
            Assert.IsNotType<JsonArray>(body["predictions"]![0]);
        }

        // promote removes canaryTrafficPercent (KServe's promotion): the new revision takes 100% and is rolled out.
        var promoted = await Cli("promote", "promo");
        Assert.Equal((0, "inferenceservice.serving.kserve.io/promo promoted\n"), (promoted.Code, promoted.Out));
        var after = await WaitAsync("promo", i => (string?)i["status"]?["components"]?["predictor"]?["latestRolledoutRevision"] == "promo-predictor-00002", "promoted");
        Assert.Null(after["spec"]!["predictor"]!["canaryTrafficPercent"]);
        Assert.Equal("promo-predictor-00001", (string?)after["status"]!["components"]!["predictor"]!["previousRolledoutRevision"]);
        for (var i = 0; i < 10; i++)
        {
            var (_, body) = await PostAsync("promo.default.example.com", "/v1/models/promo:predict", request);
            Assert.IsType<JsonArray>(body["predictions"]![0]);
        }

        Assert.Equal(0, (await Cli("delete", "isvc", "promo")).Code);
    }
}
