// A tiny KServe-style transformer the Local tests run through the platform (no Python): started with KServe's
// transformer arguments --model_name, --predictor_host and --http_port, it divides every input of a V1 request by
// --divide-by (e.g. millimetres to centimetres), calls the predictor's V1 :predict at http://{predictor_host}/…
// exactly as KServe's Python transformers build the URL, and returns the predictor's predictions plus the scaled
// instances and a "transformer" field, so a test can see both steps of the chain.
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

string? modelName = null;
string? predictorHost = null;
var port = 0;
var divideBy = 1.0;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model_name": modelName = args[++i]; break;
        case "--predictor_host": predictorHost = args[++i]; break;
        case "--http_port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--divide-by": divideBy = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

if (modelName is null || predictorHost is null || port <= 0)
{
    Console.Error.WriteLine("--model_name, --predictor_host and --http_port are required");
    return 2;
}

using var predictor = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port));
var app = builder.Build();

app.MapGet("/v1/models/{name}", (string name) => Results.Json(new { name, ready = name == modelName }));
app.MapPost("/v1/models/{name}:predict", async (string name, HttpContext context) =>
{
    if (name != modelName)
    {
        return Results.Json(new { error = $"model {name} not found" }, statusCode: 404);
    }

    var request = await JsonNode.ParseAsync(context.Request.Body);
    if (request?["instances"] is not JsonArray instances)
    {
        return Results.Json(new { error = "expected {\"instances\": [[...]]}" }, statusCode: 400);
    }

    // Pre-processing.
    var scaled = new JsonArray(instances.Select(row => (JsonNode)new JsonArray(row!.AsArray().Select(v => (JsonNode)JsonValue.Create(v!.GetValue<double>() / divideBy)).ToArray())).ToArray());
    using var response = await predictor.PostAsJsonAsync(new Uri($"http://{predictorHost}/v1/models/{modelName}:predict"), new JsonObject { ["instances"] = scaled.DeepClone() });
    var body = await response.Content.ReadFromJsonAsync<JsonObject>();
    if (!response.IsSuccessStatusCode || body is null)
    {
        return Results.Json(new { error = $"predictor answered {(int)response.StatusCode}: {body?.ToJsonString()}" }, statusCode: 502);
    }

    // Post-processing.
    body["transformer"] = "servesharp-test-transformer";
    body["scaled_instances"] = scaled;
    return Results.Json(body);
});

Console.WriteLine($"transformer for {modelName} listening on {port}, predictor at {predictorHost}");
await app.RunAsync();
return 0;
