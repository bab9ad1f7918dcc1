using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServeSharp.Protocol.Grpc.Generated;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Tests.TestModels;

namespace ServeSharp.Server.Tests;

/// <summary>
/// A real server on 127.0.0.1 (ports picked by the OS) with a repository of test models:
/// echo, sum, explain, fp16, fail (predict throws) and broken (load fails).
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const long BodyLimit = 1024 * 1024;
    public const int GrpcLimit = 1024 * 1024;

    private readonly string _root = Directory.CreateTempSubdirectory("servesharp-server-tests-").FullName;

    public ModelServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    public string Root => _root;

    public async Task InitializeAsync()
    {
        foreach (var (name, kind) in new[] { ("echo", "echo"), ("sum", "sum"), ("explain", "explain"), ("FP16OutputModel", "fp16"), ("fail", "fail"), ("broken", "nonsense") })
        {
            TestRuntime.CreateModelDirectory(_root, name, kind);
        }

        Server = await StartServerAsync(o =>
        {
            o.ModelRepositoryRoot = _root;
            o.MaxRequestBodySize = BodyLimit;
            o.GrpcMaxReceiveMessageSize = GrpcLimit;
        });
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Server.HttpPort}") };
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Server.GrpcPort}", new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024, MaxSendMessageSize = 64 * 1024 * 1024 });
        Grpc = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Starts a server on free ports with the test runtime; the caller disposes it.</summary>
    public static async Task<ModelServer> StartServerAsync(Action<ModelServerOptions> configure, Action<IServiceCollection>? services = null)
    {
        var options = new ModelServerOptions { Host = "127.0.0.1", HttpPort = 0, GrpcPort = 0, ShutdownTimeout = TimeSpan.FromSeconds(10) };
        configure(options);
        var server = ModelServer.Create(
            options,
            s =>
            {
                s.AddModelRuntime<TestRuntime>();
                services?.Invoke(s);
            },
            logging => logging.SetMinimumLevel(LogLevel.Warning));
        await server.StartAsync();
        return server;
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
