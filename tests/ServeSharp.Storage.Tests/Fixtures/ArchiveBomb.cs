using System.IO.Compression;

namespace ServeSharp.Storage.Tests.Fixtures;

/// <summary>
/// A real gzip-compressed tar that expands to 10 GiB of zeros while being about 10 MB: the compressed form of
/// 1 MiB of zeros (ending on a sync flush, so blocks concatenate) is repeated 10 240 times after the headers.
/// </summary>
public static class ArchiveBomb
{
    public const long ExpandedBytes = 10L * 1024 * 1024 * 1024;

    public static void WriteTarGz(string path)
    {
        var headers = new TarBuilder().PaxSize(ExpandedBytes).FileHeader("model.bin", ExpandedBytes).ToArray(terminate: false);
        using var output = File.Create(path);
        output.Write([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]);
        output.Write(SyncFlushed(headers));
        var zeros = SyncFlushed(new byte[1024 * 1024]);
        for (var i = 0; i < ExpandedBytes / (1024 * 1024); i++)
        {
            output.Write(zeros);
        }

        output.Write([0x03, 0x00]); // final empty fixed-Huffman block
        output.Write(new byte[8]); // CRC32 and ISIZE are never reached
    }

    private static byte[] SyncFlushed(byte[] data)
    {
        using var buffer = new MemoryStream();
        var deflate = new DeflateStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true);
        deflate.Write(data);
        deflate.Flush();
        var bytes = buffer.ToArray();
        return bytes;
    }
}
