// A tiny KServe-style transformer the Local tests run through the platform (no Python): started with KServe's
// transformer arguments --model_name, --predictor_host and --http_port, it divides every input of a V1 request by
// --divide-by (e.g. millimetres to centimetres), calls the predictor's V1 :predict at http://{predictor_host}/…
// exactly as KServe's Python transformers build the URL, and returns the predictor's predictions plus the scaled
// instances and a "transformer" field, so a test can see both steps of the chain. With --protocol grpc-v2 (or
// --predictor_protocol grpc-v2) it calls the predictor's gRPC ModelInfer instead, on a channel to predictor_host as
// KServe's InferenceGRPCClient opens it, and says so in a "predictor_protocol" field with the host it was given.
using System.Globalization;
using Grpc.Net.Client;
using ServeSharp.Protocol.Grpc.Generated;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

string? modelName = null;
string? predictorHost = null;
var port = 0;
var divideBy = 1.0;
var protocol = "v1";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model_name": modelName = args[++i]; break;
        case "--predictor_host": predictorHost = args[++i]; break;
        case "--http_port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--divide-by": divideBy = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--protocol" or "--predictor_protocol": protocol = args[++i]; break;
        case var flag when flag.StartsWith("--protocol=", StringComparison.Ordinal) || flag.StartsWith("--predictor_protocol=", StringComparison.Ordinal):
            protocol = flag[(flag.IndexOf('=') + 1)..];
            break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

if (modelName is null || predictorHost is null || port <= 0)
{
    Console.Error.WriteLine("--model_name, --predictor_host and --http_port are required");
    return 2;
}

using var predictor = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
using var channel = protocol.StartsWith("grpc", StringComparison.Ordinal) ? GrpcChannel.ForAddress($"http://{predictorHost}") : null;
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
    JsonObject? body;
    if (channel is not null)
    {
        try
        {
            body = await PredictOverGrpcAsync(channel, modelName, scaled);
        }
        catch (Grpc.Core.RpcException e)
        {
            return Results.Json(new { error = $"predictor answered {e.StatusCode}: {e.Status.Detail}" }, statusCode: 502);
        }
    }
    else
    {
        using var response = await predictor.PostAsJsonAsync(new Uri($"http://{predictorHost}/v1/models/{modelName}:predict"), new JsonObject { ["instances"] = scaled.DeepClone() });
        body = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (!response.IsSuccessStatusCode || body is null)
        {
            return Results.Json(new { error = $"predictor answered {(int)response.StatusCode}: {body?.ToJsonString()}" }, statusCode: 502);
        }
    }

    // Post-processing.
    body["transformer"] = "servesharp-test-transformer";
    body["scaled_instances"] = scaled;
    body["predictor_protocol"] = protocol;
    body["predictor_host"] = predictorHost;
    return Results.Json(body);
});

Console.WriteLine($"transformer for {modelName} listening on {port}, predictor at {predictorHost}");
await app.RunAsync();
return 0;

// ModelInfer with the rows as one FP32 [rows, columns] tensor named input-0 (the ONNX example's input); the first
// output's integers become the predictions.
static async Task<JsonObject> PredictOverGrpcAsync(GrpcChannel channel, string modelName, JsonArray rows)
{
    var tensor = new ModelInferRequest.Types.InferInputTensor { Name = "input-0", Datatype = "FP32", Contents = new InferTensorContents() };
    tensor.Shape.Add(rows.Count);
    tensor.Shape.Add(rows[0]!.AsArray().Count);
    tensor.Contents.Fp32Contents.Add(rows.SelectMany(row => row!.AsArray().Select(v => (float)v!.GetValue<double>())));
    var request = new ModelInferRequest { ModelName = modelName, Inputs = { tensor } };
    var reply = await new GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelInferAsync(request);
    var output = reply.Outputs[0];
    var values = reply.RawOutputContents.Count > 0
        ? Enumerable.Range(0, reply.RawOutputContents[0].Length / 8).Select(i => BitConverter.ToInt64(reply.RawOutputContents[0].Span.Slice(i * 8, 8)))
        : output.Contents.Int64Contents;
    return new JsonObject { ["predictions"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()) };
}
