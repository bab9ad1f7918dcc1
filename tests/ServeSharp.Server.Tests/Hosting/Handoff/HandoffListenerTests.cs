using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Hosting.Handoff;
using Microsoft.Extensions.DependencyInjection;
using ServeSharp.Server.Tests.TestModels;

namespace ServeSharp.Server.Tests.Hosting.Handoff;

/// <summary>
/// The replica's side of connection handoff with real sockets: a model server with <c>--handoff-socket</c>, a handoff
/// channel speaking the ingress's protocol, TCP connections whose descriptors are passed over it, and a stand-in ingress
/// (a real HTTP server) receiving what the replica sends back.
/// </summary>
public sealed class HandoffListenerTests : IAsyncLifetime
{
    private const string Host = "svc.ns.example.com";
    private readonly string _socketPath = Path.Combine(Path.GetTempPath(), $"ss-handoff-{Guid.NewGuid():N}.sock");
    private WebApplication _ingress = null!;
    private ModelServer _server = null!;
    private Socket _channel = null!;
    private TcpListener _clients = null!;

    private int IngressPort => new Uri(_ingress.Urls.First()).Port;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _ingress = builder.Build();
        _ingress.Run(context => context.Response.WriteAsync(new JsonObject
        {
            ["from"] = "ingress",
            ["host"] = context.Request.Host.Value,
            ["path"] = context.Request.Path.Value,
            ["marker"] = context.Request.Headers[HandoffRequestMiddleware.ReturnHeader].ToString(),
        }.ToJsonString()));
        await _ingress.StartAsync();

        _server = ModelServer.Create(
            new ModelServerOptions { Host = "127.0.0.1", HttpPort = 0, GrpcPort = 0, HandoffSocket = _socketPath },
            s => s.AddModelRuntime<TestRuntime>(),
            logging => logging.ClearProviders());
        await _server.StartAsync();
        await _server.Repository.AddAsync(new EchoModel("e"));

        _channel = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        await _channel.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath));
        _clients = new TcpListener(IPAddress.Loopback, 0);
        _clients.Start();
    }

    public async Task DisposeAsync()
    {
        _clients.Stop();
        _channel.Dispose();
        await _server.StopAsync();
        await _server.DisposeAsync();
        await _ingress.DisposeAsync();
        Assert.False(File.Exists(_socketPath), "the handoff socket file is removed at shutdown");
    }

    [Fact]
    public async Task HandedOffConnection_IsServedByTheReplica_AndItsRequestsAreReported()
    {
        Grant(7);
        using var client = await HandOffAsync(7);

        var answer = await client.SendAsync("POST", Host + ":8080", "/v1/models/e:predict", """{"instances":[[1,2]]}""");
        Assert.Equal(200, answer.Status);
        Assert.NotNull(JsonNode.Parse(answer.Body)!["predictions"]);
        Assert.False(answer.ClosesConnection);
        // A second request on the same connection, same service: still the replica, connection kept.
        var again = await client.SendAsync("GET", Host.ToUpperInvariant(), "/v2/models/e");
        Assert.Equal(200, again.Status);
        Assert.False(again.ClosesConnection);

        // The replica reports what it served under the lease (the ingress feeds it to the autoscaler).
        var report = await ReadReportAsync(r => r.LeaseId == 7 && r.Requests == 2);
        Assert.Equal(0, report.InFlight);
        Assert.True(report.ConcurrencySeconds > 0);
    }

    [Fact]
    public async Task OpenHandedOffConnections_AreReported_UntilTheyClose()
    {
        Grant(5);
        var first = await HandOffAsync(5);
        using var second = await HandOffAsync(5);
        Assert.Equal(200, (await second.SendAsync("GET", Host, "/v2/models/e")).Status);

        var both = await ReadReportAsync(r => r.LeaseId == 5 && r.OpenConnections == 2);
        Assert.Equal(2, both.ConnectionsReceived);

        // The client hangs up: the replica's count follows (the ingress balances new connections by it).
        first.Dispose();
        var one = await ReadReportAsync(r => r.LeaseId == 5 && r.OpenConnections == 1);
        Assert.Equal(2, one.ConnectionsReceived);
    }

    [Fact]
    public async Task RequestsTheIngressRoutesElsewhere_GoBackToTheIngressMarked_AndCloseTheConnection()
    {
        Grant(1);

        // Another service's Host on a handed-off keep-alive connection.
        using (var client = await HandOffAsync(1))
        {
            Assert.Equal(200, (await client.SendAsync("POST", Host, "/v1/models/e:predict", """{"instances":[[1]]}""")).Status);
            var other = await client.SendAsync("POST", "other.ns.example.com", "/v1/models/other:predict", """{"instances":[[1]]}""");
            AssertFromIngress(other, "other.ns.example.com", "/v1/models/other:predict");
        }

        // The explainer's path, even for the lease's host.
        using (var client = await HandOffAsync(1))
        {
            AssertFromIngress(await client.SendAsync("POST", Host, "/v1/models/e:explain", "{}"), Host, "/v1/models/e:explain");
        }

        // A revoked lease: everything on its connections goes back, also for its own host.
        using (var client = await HandOffAsync(1))
        {
            Assert.Equal(200, (await client.SendAsync("GET", Host, "/v2/models/e")).Status);
            _channel.Send(HandoffCodec.Revoke(1));
            await Eventually(async () => JsonNode.Parse((await client.SendAsync("GET", Host, "/v2/models/e")).Body)!["from"] is not null);
        }
    }

    [Fact]
    public async Task RevokedLease_IsDropped_OnceItsConnectionsAreClosed_AfterItsFinalReport()
    {
        Grant(4);
        using (var client = await HandOffAsync(4))
        {
            Assert.Equal(200, (await client.SendAsync("GET", Host, "/v2/models/e")).Status);
            _channel.Send(HandoffCodec.Revoke(4));

            // Still held open by the client: the lease stays, and once the revocation is read the connection's next
            // request goes back to the ingress.
            await Eventually(async () => JsonNode.Parse((await client.SendAsync("GET", Host, "/v2/models/e")).Body)!["from"] is not null);
        }

        // The final report (nothing open, nothing in flight) reaches the ingress before the lease is dropped.
        var final = await ReadReportAsync(r => r.LeaseId == 4 && r.OpenConnections == 0);
        Assert.True(final.Requests >= 1, $"requests served under the lease: {final.Requests}");
        Assert.Equal(0, final.InFlight);

        // Dropped: a connection under its id is now an unknown lease's (closed, not served or forwarded).
        await Eventually(async () =>
        {
            using var probe = await HandOffAsync(4);
            try
            {
                await probe.SendAsync("GET", Host, "/v2/models/e");
                return false;
            }
            catch (IOException)
            {
                return true;
            }
        });
    }

    [Fact]
    public async Task ConnectionUnderAnUnknownLease_IsClosed_NotServed()
    {
        using var client = await HandOffAsync(99);
        await Assert.ThrowsAnyAsync<IOException>(() => client.SendAsync("GET", Host, "/v2/models/e"));
    }

    private static void AssertFromIngress(RawHttpResponse response, string host, string path)
    {
        Assert.Equal(200, response.Status);
        var body = JsonNode.Parse(response.Body)!;
        Assert.Equal("ingress", (string?)body["from"]);
        Assert.Equal(host, (string?)body["host"]);
        Assert.Equal(path, (string?)body["path"]);
        Assert.Equal("1", (string?)body["marker"]);
        Assert.True(response.ClosesConnection, "the client's next request must reach the ingress on a new connection");
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("condition not met");
    }

    private void Grant(int id) =>
        _channel.Send(HandoffCodec.Grant(new HandoffGrant(id, IngressPort, "svc", "ns", [Host], [@"^/v1/models/[\w-]+:explain$"])));

    private async Task<RawHttpConnection> HandOffAsync(int leaseId)
    {
        var accepting = _clients.AcceptSocketAsync();
        var client = await RawHttpConnection.ConnectAsync(((IPEndPoint)_clients.LocalEndpoint).Port);
        using (var serverSide = await accepting)
        {
            Assert.True(HandoffInterop.Send(_channel.SafeHandle, HandoffCodec.Connection(leaseId), (int)serverSide.SafeHandle.DangerousGetHandle(), 1000, out var error), $"sendmsg errno {error}");
        }

        // Our copy is closed: from here only the replica holds the server side.
        return client;
    }

    private async Task<HandoffReport> ReadReportAsync(Func<HandoffReport, bool> wanted)
    {
        var buffer = new byte[HandoffCodec.MaxMessageSize];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var length = await _channel.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.True(length > 0, "the replica closed the channel");
            if (HandoffCodec.ReadReport(buffer, length).FirstOrDefault(wanted) is { LeaseId: > 0 } report)
            {
                return report;
            }
        }
    }
}
