using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Ingress.Handoff;
using ServeSharp.Local.Supervision;
using ServeSharp.Server.Hosting.Handoff;

namespace ServeSharp.Local.Tests.Ingress.Handoff;

/// <summary>
/// The ingress's end of a handoff channel against a stand-in replica on a real SOCK_SEQPACKET socket: which leases it
/// keeps, and the in-flight counts it adds to the revision's metrics.
/// </summary>
public sealed class HandoffChannelTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"ss-channel-{Guid.NewGuid():N}.sock");
    private readonly Socket _listen = new(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
    private readonly TcpListener _clients = new(IPAddress.Loopback, 0);
    private readonly RevisionBackend _backend = new("default/svc-predictor-00001", new OneEndpoint(), TimeProvider.System);
    private readonly HandoffChannel _channel;
    private readonly Socket _replica;
    private int _nextLease;

    public HandoffChannelTests()
    {
        _listen.Bind(new UnixDomainSocketEndPoint(_path));
        _listen.Listen(1);
        _clients.Start();
        _channel = HandoffChannel.TryConnect(_path, NullLogger.Instance, _ => { }) ?? throw new InvalidOperationException("no channel");
        _replica = _listen.Accept();
    }

    public void Dispose()
    {
        _channel.Dispose();
        _replica.Dispose();
        _listen.Dispose();
        _clients.Stop();
        File.Delete(_path);
    }

    [Fact]
    public async Task RevokedLease_IsForgotten_OnlyOnceTheReplicaReportsEveryConnectionReceivedAndClosed()
    {
        var target = new HandoffTarget(_backend, "svc", "default", ["svc.default.example.com"], []);
        await SendConnectionAsync(target);
        await SendConnectionAsync(target);
        var lease = ReadGrantId();
        Assert.Equal(1, _channel.LeaseCount);

        // The replica holds one of the two, with a request in flight.
        await ReportAsync(new HandoffReport(lease, 1, 0.5, 1, 1, 1), until: () => _backend.Metrics.InFlight == 1);
        _channel.RevokeWhere(_ => true);
        Assert.Equal(1, _channel.LeaseCount);

        // Both received, one still open: kept.
        await ReportAsync(new HandoffReport(lease, 2, 1.0, 0, 1, 2), until: () => _backend.Metrics.InFlight == 0);
        Assert.Equal(1, _channel.LeaseCount);

        // All closed, nothing in flight: forgotten. Its connections no longer count for balancing.
        await ReportAsync(new HandoffReport(lease, 2, 1.0, 0, 0, 2), until: () => _channel.LeaseCount == 0);
        Assert.Equal(0, _channel.OpenConnections);

        // The same routing gets a new lease.
        await SendConnectionAsync(target);
        Assert.NotEqual(lease, ReadGrantId());
        Assert.Equal(1, _channel.LeaseCount);
    }

    [Fact]
    public async Task LeaseAlreadyReportedEmpty_IsForgottenAtRevocation()
    {
        var target = new HandoffTarget(_backend, "svc", "default", ["svc.default.example.com"], []);
        await SendConnectionAsync(target);
        var lease = ReadGrantId();
        await ReportAsync(new HandoffReport(lease, 3, 0.1, 0, 0, 1), until: () => _channel.OpenConnections == 0);
        Assert.Equal(1, _channel.LeaseCount);

        _channel.RevokeWhere(_ => true);

        Assert.Equal(0, _channel.LeaseCount);
    }

    [Fact]
    public async Task LiveLease_IsKept_WhenItsConnectionsClose()
    {
        var target = new HandoffTarget(_backend, "svc", "default", ["svc.default.example.com"], []);
        await SendConnectionAsync(target);
        var lease = ReadGrantId();

        await ReportAsync(new HandoffReport(lease, 1, 0.1, 0, 0, 1), until: () => _channel.OpenConnections == 0);

        Assert.Equal(1, _channel.LeaseCount);
    }

    private async Task SendConnectionAsync(HandoffTarget target)
    {
        using var client = new TcpClient();
        var accepting = _clients.AcceptSocketAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_clients.LocalEndpoint).Port);
        using var server = await accepting;
        Assert.True(_channel.TrySend(server, target, () => Interlocked.Increment(ref _nextLease), 8080));
    }

    /// <summary>Reads the replica's queue up to the next grant and returns its lease id (connection messages and their descriptors are dropped).</summary>
    private int ReadGrantId()
    {
        var buffer = new byte[HandoffCodec.MaxMessageSize];
        var grant = -1;
        _replica.ReceiveTimeout = 100;
        try
        {
            while (true)
            {
                var length = _replica.Receive(buffer);
                if (HandoffCodec.KindOf(buffer.AsSpan(0, length)) == HandoffMessageKind.Grant)
                {
                    grant = HandoffCodec.ReadGrant(buffer, length).Id;
                }
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            // Queue drained.
        }

        Assert.True(grant > 0, "a grant was sent");
        return grant;
    }

    private async Task ReportAsync(HandoffReport report, Func<bool> until)
    {
        _replica.Send(HandoffCodec.Report([report]));
        for (var i = 0; i < 200 && !until(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(until(), $"the channel applied {report}");
    }

    private sealed class OneEndpoint : IEndpointSource
    {
        public ImmutableArray<BackendEndpoint> Ready { get; } = [new BackendEndpoint("r1", "127.0.0.1", new Dictionary<string, int> { ["http"] = 1 })];

        public Task WaitForReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
