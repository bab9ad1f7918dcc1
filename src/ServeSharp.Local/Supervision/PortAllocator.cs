using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ServeSharp.Local.Supervision;

/// <summary>
/// Finds free loopback ports for replicas. A port is handed to a process that binds it a moment later, so the port must
/// not be taken in between: ports the kernel picks itself (bind to port 0, and the local port of every outgoing
/// connection) come from the ephemeral range, where any busy client on the machine can grab the port in that gap and
/// the replica then fails with "address already in use". So ports are chosen below the ephemeral range
/// (<c>/proc/sys/net/ipv4/ip_local_port_range</c>), checked free by binding, and remembered so two replicas starting at
/// the same moment never get the same one. Falls back to kernel-picked ports when no such range exists.
/// </summary>
public sealed class PortAllocator
{
    /// <summary>Lowest port handed out (above the usual fixed service ports).</summary>
    public const int RangeStart = 20000;

    private const int RecentLimit = 256;
    private readonly Lock _lock = new();
    private readonly Queue<int> _recent = new();
    private readonly HashSet<int> _recentSet = [];
    private readonly int _rangeEnd;
    private int _next;

    /// <summary>Creates an allocator for the ports below the kernel's ephemeral range.</summary>
    public PortAllocator()
        : this(EphemeralRangeStart())
    {
    }

    /// <summary>Creates an allocator for ports in [<see cref="RangeStart"/>, <paramref name="rangeEnd"/>).</summary>
    internal PortAllocator(int rangeEnd)
    {
        _rangeEnd = rangeEnd;
        _next = RangeStart + Random.Shared.Next(Math.Max(1, rangeEnd - RangeStart));
    }

    /// <summary>Returns a port that was free a moment ago and was not handed out recently.</summary>
    public int Allocate()
    {
        lock (_lock)
        {
            var span = _rangeEnd - RangeStart;
            if (span > RecentLimit * 2)
            {
                for (var attempt = 0; attempt < span; attempt++)
                {
                    var port = _next;
                    _next = _next + 1 >= _rangeEnd ? RangeStart : _next + 1;
                    if (!_recentSet.Contains(port) && IsFree(port))
                    {
                        return Remember(port);
                    }
                }
            }

            for (var attempt = 0; attempt < 50; attempt++)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (!_recentSet.Contains(port))
                {
                    return Remember(port);
                }
            }

            throw new InvalidOperationException("Could not find a free loopback port after 50 attempts.");
        }
    }

    private int Remember(int port)
    {
        _recentSet.Add(port);
        _recent.Enqueue(port);
        if (_recent.Count > RecentLimit)
        {
            _recentSet.Remove(_recent.Dequeue());
        }

        return port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            // Plain bind without SO_REUSEADDR: a port with a listener or lingering connections counts as busy.
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 1 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low))
            {
                return Math.Min(low, 65536);
            }
        }
        catch (IOException)
        {
            // Not Linux: use the IANA dynamic range start, which most other systems use for ephemeral ports.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 49152;
    }
}
