using System.Text;

namespace ServeSharp.Server.Hosting.Handoff;

/// <summary>Kinds of messages on the handoff channel between the ingress and a replica.</summary>
public enum HandoffMessageKind : byte
{
    /// <summary>Ingress → replica: a new lease (what the replica may serve itself on connections handed off under it).</summary>
    Grant = 1,

    /// <summary>Ingress → replica: a client connection (descriptor attached) under a granted lease.</summary>
    Connection = 2,

    /// <summary>Ingress → replica: the lease no longer holds (routes changed, or the revision scaled up).</summary>
    Revoke = 3,

    /// <summary>Replica → ingress: cumulative request and connection statistics per lease, for the autoscaler and the balancing of new connections.</summary>
    Report = 4,
}

/// <summary>What a replica may serve itself on connections handed off under one lease.</summary>
/// <param name="Id">Lease id, unique per ingress.</param>
/// <param name="IngressPort">Loopback port of the ingress, where requests the replica must not serve are sent back.</param>
/// <param name="ServiceName">InferenceService name (sent as <c>KServe-Isvc-Name</c>, as the ingress does).</param>
/// <param name="ServiceNamespace">Its namespace (<c>KServe-Isvc-Namespace</c>).</param>
/// <param name="Hosts">Host names (port ignored, case-insensitive) the ingress routes to this replica's revision.</param>
/// <param name="ForwardPatterns">Path regexes the ingress routes elsewhere even for those hosts (e.g. <c>:explain</c>).</param>
public sealed record HandoffGrant(int Id, int IngressPort, string ServiceName, string ServiceNamespace, IReadOnlyList<string> Hosts, IReadOnlyList<string> ForwardPatterns);

/// <summary>Cumulative statistics of the requests a replica served itself under one lease.</summary>
/// <param name="LeaseId">The lease.</param>
/// <param name="Requests">Requests started so far.</param>
/// <param name="ConcurrencySeconds">Integral of in-flight requests over time, in request-seconds.</param>
/// <param name="InFlight">Requests in flight now.</param>
/// <param name="OpenConnections">Connections handed off under the lease that are open now.</param>
/// <param name="ConnectionsReceived">Connections received under the lease so far (what the ingress sent, less those in transit).</param>
public readonly record struct HandoffReport(int LeaseId, long Requests, double ConcurrencySeconds, int InFlight, int OpenConnections, long ConnectionsReceived);

/// <summary>Binary encoding of the handoff channel's messages (one message per SOCK_SEQPACKET datagram).</summary>
public static class HandoffCodec
{
    /// <summary>Largest message either side sends.</summary>
    public const int MaxMessageSize = 64 * 1024;

    /// <summary>Encodes a grant.</summary>
    public static byte[] Grant(HandoffGrant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)HandoffMessageKind.Grant);
            writer.Write(grant.Id);
            writer.Write(grant.IngressPort);
            writer.Write(grant.ServiceName);
            writer.Write(grant.ServiceNamespace);
            WriteList(writer, grant.Hosts);
            WriteList(writer, grant.ForwardPatterns);
        }

        return stream.Length <= MaxMessageSize ? stream.ToArray() : throw new ArgumentException("The grant is too large for one handoff message.", nameof(grant));
    }

    /// <summary>Encodes the message that carries a connection (the descriptor travels beside it).</summary>
    public static byte[] Connection(int leaseId) => Small(HandoffMessageKind.Connection, leaseId);

    /// <summary>Encodes a revocation.</summary>
    public static byte[] Revoke(int leaseId) => Small(HandoffMessageKind.Revoke, leaseId);

    /// <summary>Encodes a statistics report.</summary>
    public static byte[] Report(IReadOnlyList<HandoffReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)HandoffMessageKind.Report);
            writer.Write(reports.Count);
            foreach (var r in reports)
            {
                writer.Write(r.LeaseId);
                writer.Write(r.Requests);
                writer.Write(r.ConcurrencySeconds);
                writer.Write(r.InFlight);
                writer.Write(r.OpenConnections);
                writer.Write(r.ConnectionsReceived);
            }
        }

        return stream.ToArray();
    }

    /// <summary>The kind of an encoded message.</summary>
    /// <exception cref="InvalidDataException">Empty or unknown.</exception>
    public static HandoffMessageKind KindOf(ReadOnlySpan<byte> message) =>
        message.Length > 0 && Enum.IsDefined((HandoffMessageKind)message[0])
            ? (HandoffMessageKind)message[0]
            : throw new InvalidDataException("Empty or unknown handoff message.");

    /// <summary>Decodes a grant.</summary>
    /// <exception cref="InvalidDataException">Malformed.</exception>
    public static HandoffGrant ReadGrant(byte[] message, int length) => Read(message, length, HandoffMessageKind.Grant, reader =>
        new HandoffGrant(reader.ReadInt32(), reader.ReadInt32(), reader.ReadString(), reader.ReadString(), ReadList(reader), ReadList(reader)));

    /// <summary>Decodes the lease id of a connection or revoke message.</summary>
    /// <exception cref="InvalidDataException">Malformed.</exception>
    public static int ReadLeaseId(byte[] message, int length) =>
        length == 5 && message[0] is (byte)HandoffMessageKind.Connection or (byte)HandoffMessageKind.Revoke
            ? BitConverter.ToInt32(message, 1)
            : throw new InvalidDataException("Malformed handoff connection/revoke message.");

    /// <summary>Decodes a statistics report.</summary>
    /// <exception cref="InvalidDataException">Malformed.</exception>
    public static IReadOnlyList<HandoffReport> ReadReport(byte[] message, int length) => Read(message, length, HandoffMessageKind.Report, reader =>
    {
        var count = reader.ReadInt32();
        if (count is < 0 or > 4096)
        {
            throw new InvalidDataException($"Handoff report with {count} entries.");
        }

        var reports = new HandoffReport[count];
        for (var i = 0; i < count; i++)
        {
            reports[i] = new HandoffReport(reader.ReadInt32(), reader.ReadInt64(), reader.ReadDouble(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64());
        }

        return reports;
    });

    private static byte[] Small(HandoffMessageKind kind, int leaseId)
    {
        var bytes = new byte[5];
        bytes[0] = (byte)kind;
        BitConverter.TryWriteBytes(bytes.AsSpan(1), leaseId);
        return bytes;
    }

    private static T Read<T>(byte[] message, int length, HandoffMessageKind kind, Func<BinaryReader, T> read)
    {
        if (length < 1 || message[0] != (byte)kind)
        {
            throw new InvalidDataException($"Expected a handoff {kind} message.");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(message, 1, length - 1), Encoding.UTF8);
            return read(reader);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Truncated handoff {kind} message.", e);
        }
    }

    private static void WriteList(BinaryWriter writer, IReadOnlyList<string> items)
    {
        writer.Write(items.Count);
        foreach (var item in items)
        {
            writer.Write(item);
        }
    }

    private static string[] ReadList(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count is < 0 or > 1024)
        {
            throw new InvalidDataException($"Handoff list with {count} entries.");
        }

        var items = new string[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = reader.ReadString();
        }

        return items;
    }
}
