using Ceiling;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// A bare Kestrel app that answers the benchmark's routes with fixed bodies: the ceiling servesharp is measured
// against. REST bodies are drained (not parsed) and a pre-recorded response is written back; the recorded responses
// are servesharp's own answers to the same requests (bench/run.sh captures them), so both send the same bytes.
//   --http-port N   HTTP/1.1 port for REST (default 9080)
//   --grpc-port N   HTTP/2 (h2c) port for gRPC (default 9081)
//   --responses DIR v1-<key>.json / v2-<key>.json served at /v1/models/<key>:predict and /v2/models/<key>/infer;
//                   grpc-b<N>.bin answers ModelInfer requests whose first input has batch size N
var httpPort = 9080;
var grpcPort = 9081;
string? responsesDir = null;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--http-port": httpPort = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--grpc-port": grpcPort = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--responses": responsesDir = args[i + 1]; break;
        default: throw new ArgumentException($"Unknown option {args[i]}");
    }
}

if (responsesDir is null || !Directory.Exists(responsesDir))
{
    Console.Error.WriteLine("usage: Ceiling --responses DIR [--http-port N] [--grpc-port N]");
    return 2;
}

var v1 = LoadResponses(responsesDir, "v1-");
var v2 = LoadResponses(responsesDir, "v2-");
var grpc = FixedInferenceService.Load(responsesDir);

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, httpPort, listen => listen.Protocols = HttpProtocols.Http1);
    kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
});
builder.Services.AddGrpc();
builder.Services.AddSingleton<IReadOnlyDictionary<long, ServeSharp.Protocol.Grpc.Generated.ModelInferResponse>>(grpc);

var app = builder.Build();
app.MapPost("/v1/models/{key}:predict", (HttpContext context, string key) => Answer(context, v1, key));
app.MapPost("/v2/models/{key}/infer", (HttpContext context, string key) => Answer(context, v2, key));
app.MapGrpcService<FixedInferenceService>();
app.MapGet("/v2/health/ready", () => Results.Text("{\"ready\":true}", "application/json"));
await app.RunAsync();
return 0;

static Dictionary<string, byte[]> LoadResponses(string directory, string prefix) =>
    Directory.GetFiles(directory, prefix + "*.json")
        .ToDictionary(f => Path.GetFileNameWithoutExtension(f)[prefix.Length..], File.ReadAllBytes, StringComparer.Ordinal);

static async Task Answer(HttpContext context, Dictionary<string, byte[]> responses, string key)
{
    var reader = context.Request.BodyReader;
    while (true)
    {
        var read = await reader.ReadAsync(context.RequestAborted);
        reader.AdvanceTo(read.Buffer.End);
        if (read.IsCompleted)
        {
            break;
        }
    }

    if (!responses.TryGetValue(key, out var body))
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return;
    }

    context.Response.ContentType = "application/json";
    context.Response.ContentLength = body.Length;
    await context.Response.Body.WriteAsync(body, context.RequestAborted);
}
