using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Tests.Rest;
using ServeSharp.Server.Tests.TestModels;

namespace ServeSharp.Server.Tests.Hosting;

public sealed class LatencyLoggingTests
{
    [Fact]
    public async Task EnabledLatencyLogging_LogsRequestIdOnce()
    {
        var lines = new ConcurrentQueue<string>();
        var options = new ModelServerOptions { Host = "127.0.0.1", HttpPort = 0, GrpcPort = 0, EnableLatencyLogging = true };
        await using var server = ModelServer.Create(
            options,
            s => s.AddModelRuntime<TestRuntime>(),
            logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(new CapturingProvider(lines)));
        await server.StartAsync();
        await server.Repository.AddAsync(new EchoModel("e"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/e:predict")
        {
            Content = new StringContent("""{"instances":[[1]]}"""),
        };
        request.Headers.Add("x-request-id", "trace-42");
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(lines, l => l.StartsWith("requestId: trace-42, preprocess_ms: ", StringComparison.Ordinal) && l.Contains("predict_ms: "));
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
