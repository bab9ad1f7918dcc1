using System.Net;
using System.Net.Sockets;

namespace ServeSharp.Local.Supervision;

/// <summary>
/// Finds free loopback ports by letting the OS pick (bind to port 0) and remembers recent picks so two replicas
/// starting at the same moment never get the same port before either has bound it.
/// </summary>
public sealed class PortAllocator
{
    private readonly Lock _lock = new();
    private readonly Queue<int> _recent = new();
    private readonly HashSet<int> _recentSet = [];

    /// <summary>Returns a port that was free a moment ago and was not handed out recently.</summary>
    public int Allocate()
    {
        lock (_lock)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (_recentSet.Add(port))
                {
                    _recent.Enqueue(port);
                    if (_recent.Count > 256)
                    {
                        _recentSet.Remove(_recent.Dequeue());
                    }

                    return port;
                }
            }

            throw new InvalidOperationException("Could not find a free loopback port after 50 attempts.");
        }
    }
}
