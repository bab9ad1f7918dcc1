using System.Net;
using System.Net.Sockets;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Tests.Supervision;

public sealed class PortAllocatorTests
{
    [Fact]
    public void Allocate_GivesDistinctBindablePorts_BelowTheEphemeralRange()
    {
        // The kernel hands out ephemeral ports to every outgoing connection; a replica port from that range can be
        // taken between allocation and bind. Ports below it never are.
        var ephemeralLow = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var allocator = new PortAllocator();

        var ports = Enumerable.Range(0, 300).Select(_ => allocator.Allocate()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, PortAllocator.RangeStart, ephemeralLow - 1));
        foreach (var port in ports.Take(20))
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }

    [Fact]
    public void Allocate_SkipsPortsInUse()
    {
        // A range of exactly one span with a busy port in it: the allocator must step over the busy one.
        var allocator = new PortAllocator(PortAllocator.RangeStart + 1000);
        var first = allocator.Allocate();
        using var busy = new TcpListener(IPAddress.Loopback, first + 1 >= PortAllocator.RangeStart + 1000 ? PortAllocator.RangeStart : first + 1);
        busy.Start();
        var busyPort = ((IPEndPoint)busy.LocalEndpoint).Port;

        var next = allocator.Allocate();

        Assert.NotEqual(busyPort, next);
        Assert.NotEqual(first, next);
    }
}
