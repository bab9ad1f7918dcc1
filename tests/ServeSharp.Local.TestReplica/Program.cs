// A tiny real HTTP server the Local tests start as a replica process through the supervisor.
// Args: --port N (required), --replica ID, --ready-delay-ms N (listen only after the delay),
// --ignore-sigterm (forces the supervisor to escalate to kill), --spawn-child (starts `sleep` so tree-kill is observable),
// KServe's component args --model_name NAME, --predictor_host HOST, --http_port N (same as --port; the last one wins),
// and per request ?sleepMs=N (wait) or ?burnMs=N (spin the CPU for N ms, for the cpu autoscaling metric).
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var port = 0;
var grpcPort = 0;
var replica = "r";
var readyDelayMs = 0;
var ignoreSigterm = false;
var spawnChild = false;
string? modelName = null;
string? predictorHost = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model_name": modelName = args[++i]; break;
        case "--predictor_host": predictorHost = args[++i]; break;
        case "--port" or "--http_port": port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--grpc-port": grpcPort = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--replica": replica = args[++i]; break;
        case "--ready-delay-ms": readyDelayMs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--ignore-sigterm": ignoreSigterm = true; break;
        case "--spawn-child": spawnChild = true; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

if (port <= 0)
{
    Console.Error.WriteLine("--port is required");
    return 2;
}

using var sigterm = ignoreSigterm
    ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Console.WriteLine("ignoring SIGTERM"); })
    : null;

Process? child = null;
if (spawnChild)
{
    child = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false });
    Console.WriteLine($"child pid {child!.Id}");
}

if (readyDelayMs > 0)
{
    await Task.Delay(readyDelayMs);
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.ListenLocalhost(port, o => o.Protocols = HttpProtocols.Http1AndHttp2);
    if (grpcPort > 0)
    {
        k.ListenLocalhost(grpcPort, o => o.Protocols = HttpProtocols.Http2);
    }
});
if (ignoreSigterm)
{
    // The default console lifetime would shut the host down on SIGTERM regardless of our handler.
    builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, IgnoreSignalsLifetime>();
}

var app = builder.Build();

var requests = 0L;
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapGet("/child", () => Results.Text(child?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"));
app.MapPost("/crash", () =>
{
    Console.WriteLine("crashing on request");
    Environment.Exit(3);
});
app.Map("/trailers", async (HttpContext ctx) =>
{
    ctx.Response.ContentType = "application/grpc";
    ctx.Response.AppendTrailer("grpc-status", "0");
    ctx.Response.AppendTrailer("x-replica", replica);
    await ctx.Response.WriteAsync(JsonSerializer.Serialize(new { replica, protocol = ctx.Request.Protocol, localPort = ctx.Connection.LocalPort }));
});
app.Map("/{**rest}", async (HttpContext ctx) =>
{
    var n = Interlocked.Increment(ref requests);
    if (ctx.Request.Query.TryGetValue("sleepMs", out var sleep))
    {
        await Task.Delay(int.Parse(sleep.ToString(), System.Globalization.CultureInfo.InvariantCulture));
    }

    if (ctx.Request.Query.TryGetValue("burnMs", out var burn))
    {
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + (long.Parse(burn.ToString(), System.Globalization.CultureInfo.InvariantCulture) * System.Diagnostics.Stopwatch.Frequency / 1000);
        var x = 0UL;
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
            x = unchecked((x * 6364136223846793005UL) + 1442695040888963407UL);
        }

        GC.KeepAlive(x);
    }

    using var reader = new StreamReader(ctx.Request.Body);
    var body = await reader.ReadToEndAsync();
    ctx.Response.ContentType = "application/json";
    await ctx.Response.WriteAsync(JsonSerializer.Serialize(new
    {
        replica,
        port,
        path = ctx.Request.Path.Value,
        query = ctx.Request.QueryString.Value,
        host = ctx.Request.Host.Value,
        protocol = ctx.Request.Protocol,
        method = ctx.Request.Method,
        localPort = ctx.Connection.LocalPort,
        isvcName = ctx.Request.Headers["KServe-Isvc-Name"].ToString(),
        body,
        count = n,
        env = Environment.GetEnvironmentVariable("TEST_REPLICA_ENV"),
        modelName,
        predictorHost,
    }));
});

Console.WriteLine($"replica {replica} listening on {port}");
await app.RunAsync();
child?.Kill();
return 0;

/// <summary>A host lifetime that does not react to SIGTERM/SIGINT (for the stop-escalation test).</summary>
internal sealed class IgnoreSignalsLifetime : Microsoft.Extensions.Hosting.IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
