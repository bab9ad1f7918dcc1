using System.Buffers;
using System.Text;

namespace ServeSharp.Server.Rest.CloudEvents;

/// <summary>
/// Re-spaces compact JSON the way Python's <c>json.dumps</c> prints it (the CloudEvents SDK KServe answers with):
/// <c>", "</c> and <c>": "</c> between tokens and every non-ASCII character escaped as <c>\uXXXX</c>.
/// </summary>
internal static class PythonJsonStyle
{
    public static void Write(ReadOnlySpan<byte> compact, IBufferWriter<byte> output)
    {
        var inString = false;
        var i = 0;
        while (i < compact.Length)
        {
            var b = compact[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    Put(output, compact.Slice(i, Math.Min(2, compact.Length - i)));
                    i += 2;
                    continue;
                }

                if (b == (byte)'"')
                {
                    inString = false;
                }
                else if (b >= 0x80)
                {
                    Rune.DecodeFromUtf8(compact[i..], out var rune, out var consumed);
                    EscapeNonAscii(rune, output);
                    i += consumed;
                    continue;
                }

                Put(output, b);
            }
            else if (b == (byte)'"')
            {
                inString = true;
                Put(output, b);
            }
            else if (b is (byte)',' or (byte)':')
            {
                Put(output, b);
                Put(output, (byte)' ');
            }
            else
            {
                Put(output, b);
            }

            i++;
        }
    }

    private static void EscapeNonAscii(Rune rune, IBufferWriter<byte> output)
    {
        Span<char> utf16 = stackalloc char[2];
        Span<byte> escaped = stackalloc byte[6];
        var length = rune.EncodeToUtf16(utf16);
        for (var k = 0; k < length; k++)
        {
            Encoding.ASCII.GetBytes($"\\u{(int)utf16[k]:x4}", escaped);
            Put(output, escaped);
        }
    }

    private static void Put(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    private static void Put(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
