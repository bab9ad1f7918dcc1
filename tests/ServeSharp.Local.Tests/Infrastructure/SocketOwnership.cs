using System.Globalization;
using System.Net;
using ServeSharp.Server.Tests.Hosting.Handoff;

namespace ServeSharp.Local.Tests.Infrastructure;

/// <summary>Which process holds the server side of a client's TCP connection, read from /proc (Linux).</summary>
public static class SocketOwnership
{
    /// <summary>The inode of the server-side socket of <paramref name="connection"/> to <paramref name="serverPort"/>, or null (also when the client closed it).</summary>
    public static long? ServerSideInode(int serverPort, RawHttpConnection connection)
    {
        int clientPort;
        try
        {
            clientPort = ((IPEndPoint)connection.Socket.LocalEndPoint!).Port;
        }
        catch (ObjectDisposedException)
        {
            return null; // The client hung up meanwhile (a load loop reconnecting).
        }

        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (Port(f[1]) == serverPort && Port(f[2]) == clientPort)
            {
                return long.Parse(f[9], CultureInfo.InvariantCulture);
            }
        }

        return null;

        static int Port(string address) => int.Parse(address.AsSpan(address.IndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>Whether process <paramref name="pid"/> has a descriptor for socket <paramref name="inode"/>.</summary>
    public static bool ProcessHolds(int pid, long inode)
    {
        var target = $"socket:[{inode}]";
        try
        {
            foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget == target)
                    {
                        return true;
                    }
                }
                catch (IOException)
                {
                    // Closed while listing.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The process is gone.
        }

        return false;
    }

    /// <summary>Whether <paramref name="pid"/> holds the server side of <paramref name="connection"/> to <paramref name="serverPort"/>.</summary>
    public static bool Holds(int pid, int serverPort, RawHttpConnection connection) =>
        ServerSideInode(serverPort, connection) is { } inode && ProcessHolds(pid, inode);
}
