using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace ServeSharp.Storage.Tests.Fixtures;

/// <summary>
/// Writes tar archives byte by byte, so tests can produce exactly the hostile entries real attackers craft
/// (names with <c>..</c>, absolute names, escaping links, devices) that well-behaved writers refuse to emit.
/// </summary>
public sealed class TarBuilder
{
    private readonly MemoryStream _stream = new();

    public TarBuilder File(string name, string content) => File(name, Encoding.UTF8.GetBytes(content));

    public TarBuilder File(string name, byte[] content)
    {
        WriteHeader(name, content.Length, '0', string.Empty);
        _stream.Write(content);
        Pad(content.Length);
        return this;
    }

    public TarBuilder Directory(string name) => Entry(name, '5', string.Empty);

    public TarBuilder Symlink(string name, string target) => Entry(name, '2', target);

    public TarBuilder HardLink(string name, string target) => Entry(name, '1', target);

    public TarBuilder CharacterDevice(string name) => Entry(name, '3', string.Empty);

    public TarBuilder Fifo(string name) => Entry(name, '6', string.Empty);

    /// <summary>A pax header announcing <paramref name="size"/> bytes for the next entry (sizes above 8 GiB).</summary>
    public TarBuilder PaxSize(long size) => Pax("size", size.ToString(CultureInfo.InvariantCulture));

    /// <summary>A pax header setting <paramref name="key"/> to <paramref name="value"/> for the next entry (ASCII only).</summary>
    public TarBuilder Pax(string key, string value)
    {
        var body = " " + key + "=" + value + "\n";
        var digits = (body.Length + 1).ToString(CultureInfo.InvariantCulture).Length;
        var length = body.Length + digits;
        if (length.ToString(CultureInfo.InvariantCulture).Length != digits)
        {
            length++;
        }

        var record = Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture) + body);
        WriteHeader("PaxHeader/model.bin", record.Length, 'x', string.Empty);
        _stream.Write(record);
        Pad(record.Length);
        return this;
    }

    /// <summary>Only the header of a regular file (its data is appended by the caller).</summary>
    public TarBuilder FileHeader(string name, long size)
    {
        WriteHeader(name, Math.Min(size, 1), '0', string.Empty);
        return this;
    }

    public byte[] ToArray(bool terminate = true)
    {
        if (terminate)
        {
            _stream.Write(new byte[1024]);
        }

        return _stream.ToArray();
    }

    public byte[] ToGzip()
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(ToArray());
        }

        return output.ToArray();
    }

    private TarBuilder Entry(string name, char type, string link)
    {
        WriteHeader(name, 0, type, link);
        return this;
    }

    private void Pad(long length)
    {
        var remainder = (int)(length % 512);
        if (remainder != 0)
        {
            _stream.Write(new byte[512 - remainder]);
        }
    }

    private void WriteHeader(string name, long size, char type, string link)
    {
        var header = new byte[512];
        Put(header, 0, 100, name);
        Put(header, 100, 8, "0000644");
        Put(header, 108, 8, "0000000");
        Put(header, 116, 8, "0000000");
        Put(header, 124, 12, Convert.ToString(size, 8).PadLeft(11, '0'));
        Put(header, 136, 12, "00000000000");
        header[156] = (byte)type;
        Put(header, 157, 100, link);
        Put(header, 257, 6, "ustar");
        Put(header, 263, 2, "00");
        Put(header, 329, 8, "0000001");
        Put(header, 337, 8, "0000003");
        for (var i = 148; i < 156; i++)
        {
            header[i] = (byte)' ';
        }

        var sum = header.Sum(b => (int)b);
        Put(header, 148, 8, Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ");
        _stream.Write(header);
    }

    private static void Put(byte[] header, int offset, int length, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Array.Copy(bytes, 0, header, offset, Math.Min(bytes.Length, length));
    }
}
