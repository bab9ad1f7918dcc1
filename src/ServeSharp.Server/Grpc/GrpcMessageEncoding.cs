using System.Text;

namespace ServeSharp.Server.Grpc;

/// <summary>
/// The <c>grpc-message</c> header's encoding (gRPC over HTTP/2): the message's UTF-8 bytes, each byte outside
/// printable ASCII, and <c>%</c> itself, written as <c>%XX</c>. Clients decode it back to the original text.
/// </summary>
internal static class GrpcMessageEncoding
{
    public static string Encode(string message)
    {
        if (!message.AsSpan().ContainsAnyExceptInRange(' ', '~') && !message.Contains('%', StringComparison.Ordinal))
        {
            return message;
        }

        var builder = new StringBuilder(message.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= (byte)' ' and <= (byte)'~' and not (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(Convert.ToHexString([b]));
            }
        }

        return builder.ToString();
    }
}
