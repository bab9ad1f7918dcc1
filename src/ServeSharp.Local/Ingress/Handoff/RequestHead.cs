using System.Text;

namespace ServeSharp.Local.Ingress.Handoff;

/// <summary>
/// The first request's head of an HTTP/1.1 connection, parsed from peeked bytes only as far as the handoff decision
/// needs: the Host header and the path. Anything unusual (another version, an absolute or asterisk target, an
/// <c>Upgrade</c>, the replica's return marker, a duplicate Host) makes the connection not qualify; the proxy path
/// then handles it exactly as before.
/// </summary>
internal static class RequestHead
{
    /// <summary>Most bytes peeked for the head.</summary>
    public const int MaxSize = 8192;

    /// <summary>The outcome of looking at the peeked bytes.</summary>
    public enum Result
    {
        /// <summary>No CRLFCRLF yet.</summary>
        Incomplete,

        /// <summary>A plain HTTP/1.1 request with one Host header.</summary>
        Candidate,

        /// <summary>Never hand off (HTTP/2 preface, other version, upgrade, marker, malformed...).</summary>
        Proxy,
    }

    /// <summary>Parses <paramref name="data"/>; on <see cref="Result.Candidate"/> returns the host and the path (query stripped).</summary>
    public static Result Parse(ReadOnlySpan<byte> data, out string host, out string path)
    {
        host = path = string.Empty;
        if (data.StartsWith("PRI "u8))
        {
            return Result.Proxy;
        }

        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return data.Length >= MaxSize ? Result.Proxy : Result.Incomplete;
        }

        var head = data[..(end + 2)];
        var lineEnd = head.IndexOf("\r\n"u8);
        var requestLine = head[..lineEnd];
        var firstSpace = requestLine.IndexOf((byte)' ');
        var lastSpace = requestLine.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace + 1 || !requestLine[(lastSpace + 1)..].SequenceEqual("HTTP/1.1"u8))
        {
            return Result.Proxy;
        }

        var target = requestLine[(firstSpace + 1)..lastSpace];
        if (target[0] != (byte)'/')
        {
            return Result.Proxy;
        }

        var query = target.IndexOf((byte)'?');
        var rawPath = query < 0 ? target : target[..query];
        if (rawPath.IndexOf("%00"u8) >= 0)
        {
            // An encoded NUL: Kestrel refuses the request (400) and PathString would throw; let the proxy path do that.
            return Result.Proxy;
        }

        path = Encoding.ASCII.GetString(rawPath);
        string? foundHost = null;
        var rest = head[(lineEnd + 2)..];
        while (rest.Length > 0)
        {
            var eol = rest.IndexOf("\r\n"u8);
            var line = rest[..eol];
            rest = rest[(eol + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return Result.Proxy;
            }

            var name = line[..colon];
            if (IsName(name, "host"u8))
            {
                if (foundHost is not null)
                {
                    return Result.Proxy;
                }

                foundHost = Encoding.ASCII.GetString(line[(colon + 1)..].Trim((byte)' ').Trim((byte)'\t'));
            }
            else if (IsName(name, "upgrade"u8) || IsName(name, "servesharp-handoff-return"u8))
            {
                return Result.Proxy;
            }
        }

        if (string.IsNullOrEmpty(foundHost))
        {
            return Result.Proxy;
        }

        host = foundHost;
        return Result.Candidate;
    }

    private static bool IsName(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lowerCase)
    {
        if (name.Length != lowerCase.Length)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if ((c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c | 0x20) : c) != lowerCase[i])
            {
                return false;
            }
        }

        return true;
    }
}
