using System.IO.Compression;
using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.LZMA;
using SharpCompress.Compressors.Xz;

namespace ServeSharp.Runtimes.Sklearn.Pickle;

/// <summary>
/// Reads a <c>joblib.dump</c> or <c>pickle.dump</c> file into an inert object graph. joblib's compressed files
/// are one compressed stream of the whole pickle (the codec is recognised by its magic bytes, as joblib does):
/// zlib <c>78</c>, gzip <c>1f 8b</c>, bz2 <c>BZ</c>, xz <c>fd 37 7a 58 5a</c>, lzma-alone <c>5d 00</c>.
/// </summary>
public static class JoblibFile
{
    private static readonly byte[] XzMagic = [0xfd, 0x37, 0x7a, 0x58, 0x5a];
    private static readonly byte[] Lz4Magic = [0x04, 0x22, 0x4d, 0x18];

    /// <summary>Reads <paramref name="path"/>. Throws <see cref="PickleException"/> naming nothing but the problem.</summary>
    public static object? Load(string path, PickleLimits? limits = null)
    {
        limits ??= PickleLimits.Default;
        var info = new FileInfo(path);
        if (info.Length > limits.MaxFileBytes)
        {
            throw new PickleException($"file is {info.Length} bytes, over the {limits.MaxFileBytes}-byte limit");
        }

        var raw = File.ReadAllBytes(path);
        return Load(raw, limits);
    }

    /// <summary>Reads a whole file already in memory.</summary>
    public static object? Load(byte[] raw, PickleLimits limits)
    {
        var data = Decompress(raw, limits);
        if (data.Length == 0)
        {
            throw new PickleException("file is empty");
        }

        if (data.Length >= 2 && data[0] == 'Z' && data[1] == 'F')
        {
            throw new PickleException("the joblib < 0.10 'ZF' compressed format is not supported; re-save the model with a current joblib");
        }

        // Protocol 2+ pickles start with PROTO; protocol 0/1 with an opcode such as '(' 'c' ']' '}'.
        if (data[0] != 0x80 && Array.IndexOf("(c]}N)IJKLSVXU"u8.ToArray(), data[0]) < 0)
        {
            throw new PickleException("file is not a pickle (no pickle protocol header)");
        }

        var reader = new PickleReader(data, 0, limits, joblib: true);
        return reader.Load();
    }

    private static byte[] Decompress(byte[] raw, PickleLimits limits)
    {
        if (raw.AsSpan().StartsWith(Lz4Magic))
        {
            throw new PickleException("lz4-compressed joblib files are not supported (no lz4 codec available); use zlib, gzip, bz2, lzma or xz");
        }

        try
        {
            // Opening a codec already reads its header (bz2, xz, lzma), so a corrupt one fails here as well as in Read.
            using var codec = OpenCodec(raw);
            if (codec is null)
            {
                return raw;
            }

            var output = new MemoryStream();
            var chunk = new byte[1 << 16];
            int n;
            while ((n = codec.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + n > limits.MaxFileBytes)
                {
                    throw new PickleException($"decompressed data exceeds the {limits.MaxFileBytes}-byte limit");
                }

                output.Write(chunk, 0, n);
            }

            return output.ToArray();
        }
        catch (Exception ex) when (ex is not PickleException)
        {
            throw new PickleException($"compressed data is corrupt: {ex.Message}");
        }
    }

    /// <summary>The decompressing stream for joblib's compressed formats, told by their magic bytes; null when the file is not compressed.</summary>
    private static Stream? OpenCodec(byte[] raw)
    {
        var input = new MemoryStream(raw, writable: false);
        if (raw.AsSpan().StartsWith(XzMagic))
        {
            return new XZStream(input);
        }

        if (raw.Length > 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            return new GZipStream(input, System.IO.Compression.CompressionMode.Decompress);
        }

        if (raw.Length > 3 && raw[0] == 'B' && raw[1] == 'Z' && raw[2] == 'h')
        {
            return BZip2Stream.Create(input, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true);
        }

        if (raw.Length > 13 && raw[0] == 0x5d && raw[1] == 0x00)
        {
            // .lzma "alone" format: 5 property bytes, 8-byte little-endian uncompressed size (-1 = unknown).
            var props = raw.AsSpan(0, 5).ToArray();
            var size = BitConverter.ToInt64(raw, 5);
            input.Position = 13;
            return LzmaStream.Create(props, input, raw.Length - 13, size);
        }

        if (raw.Length > 2 && raw[0] == 0x78 && ((raw[0] << 8) | raw[1]) % 31 == 0)
        {
            return new ZLibStream(input, System.IO.Compression.CompressionMode.Decompress);
        }

        return null;
    }
}
