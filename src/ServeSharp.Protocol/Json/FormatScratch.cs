using System.Buffers;
using System.Numerics;

namespace ServeSharp.Protocol.Json;

/// <summary>
/// One scratch byte array per thread for text that is formatted and then copied into a writer (numbers of a tensor
/// row). Formatting into the stack zeroed a kilobyte per row and larger rows took the shared pool's locks; this keeps
/// the thread's largest buffer up to <see cref="MaxKept"/> bytes and lends bigger ones from the shared pool.
/// Rent, use, Return; a buffer rented while the thread's is out is simply another one.
/// </summary>
internal static class FormatScratch
{
    /// <summary>Largest buffer a thread keeps between uses.</summary>
    public const int MaxKept = 64 * 1024;

    private const int MinLength = 1024;

    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes (contents undefined).</summary>
    public static byte[] Rent(int minimumLength)
    {
        var buffer = t_buffer;
        if (buffer is not null && buffer.Length >= minimumLength)
        {
            t_buffer = null;
            return buffer;
        }

        return minimumLength <= MaxKept
            ? GC.AllocateUninitializedArray<byte>((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, MinLength)))
            : ArrayPool<byte>.Shared.Rent(minimumLength);
    }

    /// <summary>Takes a buffer from <see cref="Rent"/> back.</summary>
    public static void Return(byte[] buffer)
    {
        if (buffer.Length > MaxKept)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        if (t_buffer is null || t_buffer.Length < buffer.Length)
        {
            t_buffer = buffer;
        }
    }
}
