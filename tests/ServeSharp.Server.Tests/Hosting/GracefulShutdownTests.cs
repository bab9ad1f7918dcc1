using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServeSharp.Server.Tests.Rest;
using ServeSharp.Server.Tests.TestModels;

namespace ServeSharp.Server.Tests.Hosting;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Stop_TurnsReadinessFalseFirst_AndLetsInFlightRequestsFinish()
    {
        var server = await ServerFixture.StartServerAsync(o => o.DrainDelay = TimeSpan.FromSeconds(3));
        var gate = new GateModel("slow");
        await server.Repository.AddAsync(gate);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}") };
        using var probe = new HttpClient { BaseAddress = http.BaseAddress };

        var inFlight = http.PostJsonAsync("/v1/models/slow:predict", """{"instances":[[1]]}""");
        await gate.Entered.Task;
        var stop = server.StopAsync();

        // Readiness flips to 503 while the listener still accepts during the drain delay.
        var (status, body) = await probe.GetStringAsync2("/v2/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("""{"error":"Server is not ready."}""", body);
        Assert.False(inFlight.IsCompleted);

        gate.Release();
        var result = await inFlight;
        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal("""{"predictions":[[1]]}""", result.Body);
        await stop;
        Assert.False(gate.Disposed);
        await server.DisposeAsync();
        Assert.True(gate.Disposed);
    }

    [Fact]
    public async Task Decorators_WrapEveryModel_FirstRegisteredOutermost()
    {
        var calls = new List<string>();
        var server = await ServerFixture.StartServerAsync(
            _ => { },
            services =>
            {
                services.AddSingleton(calls);
                services.AddSingleton<Server.Models.IModelDecoratorFactory>(new RecordingDecoratorFactory("outer", calls));
                services.AddSingleton<Server.Models.IModelDecoratorFactory>(new RecordingDecoratorFactory("inner", calls));
            });
        await using var _ = server;
        await server.Repository.AddAsync(new EchoModel("e"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}") };
        var result = await http.PostJsonAsync("/v1/models/e:predict", """{"instances":[[1]]}""");
        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal(["outer", "inner"], calls);
    }

    private sealed class RecordingDecoratorFactory(string label, List<string> calls) : Server.Models.IModelDecoratorFactory
    {
        public Abstractions.IModel Decorate(Abstractions.IModel model) => new Recording(model, label, calls);

        private sealed class Recording(Abstractions.IModel inner, string label, List<string> calls) : Server.Models.ModelDecorator(inner)
        {
            public override ValueTask<Abstractions.InferenceResponse> PredictAsync(Abstractions.InferenceRequest request, CancellationToken cancellationToken)
            {
                lock (calls)
                {
                    calls.Add(label);
                }

                return base.PredictAsync(request, cancellationToken);
            }
        }
    }
}
