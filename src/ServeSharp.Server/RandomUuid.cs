using System.Security.Cryptography;

namespace ServeSharp.Server;

/// <summary>
/// Random (version 4) UUID strings for V2 response ids, as <c>Guid.NewGuid().ToString()</c> formats them. Each
/// thread takes its bytes from a buffer refilled by the cryptographic generator 256 UUIDs at a time: on Linux
/// <c>Guid.NewGuid</c> makes a system call per id, which cost several percent of a small model's request.
/// </summary>
internal static class RandomUuid
{
    private const int UuidSize = 16;
    private const int BufferSize = 256 * UuidSize;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_next;

    /// <summary>A new random UUID in the "D" format (<c>xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx</c>, lower case).</summary>
    public static string NewString()
    {
        var buffer = t_buffer;
        if (buffer is null || t_next == BufferSize)
        {
            buffer = t_buffer ??= new byte[BufferSize];
            RandomNumberGenerator.Fill(buffer);
            t_next = 0;
        }

        var bytes = buffer.AsSpan(t_next, UuidSize);
        t_next += UuidSize;

        // The version and variant bits Guid.NewGuid sets (RFC 9562 version 4): the Guid constructor reads the first
        // three fields little-endian, so the version nibble is the high nibble of byte 7.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var uuid = new Guid(bytes);
        bytes.Clear();
        return uuid.ToString();
    }
}
