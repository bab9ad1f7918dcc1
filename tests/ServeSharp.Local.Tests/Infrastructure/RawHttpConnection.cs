using System.Net.Sockets;
using System.Text;

namespace ServeSharp.Local.Tests.Infrastructure;

/// <summary>One client TCP connection speaking HTTP/1.1 by hand, so a test controls exactly which requests share it.</summary>
public sealed class RawHttpConnection : IDisposable
{
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[65536];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket)
    {
        Socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public Socket Socket { get; }

    public static async Task<RawHttpConnection> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        return new RawHttpConnection(socket);
    }

    /// <summary>Sends one request and reads its response (Content-Length or chunked body).</summary>
    public async Task<RawHttpResponse> SendAsync(string method, string host, string path, string? json = null)
    {
        var body = json is null ? [] : Encoding.UTF8.GetBytes(json);
        var head = $"{method} {path} HTTP/1.1\r\nHost: {host}\r\n" + (json is null ? string.Empty : "Content-Type: application/json\r\n") + $"Content-Length: {body.Length}\r\n\r\n";
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await _stream.WriteAsync(body);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var headEnd = await FillUntilAsync(() => _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8), timeout.Token);
        var lines = Encoding.ASCII.GetString(_buffer, _start, headEnd).Split("\r\n");
        _start += headEnd + 4;
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var chunks = new StringBuilder();
            while (true)
            {
                var sizeEnd = await FillUntilAsync(() => _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8), timeout.Token);
                var size = Convert.ToInt32(Encoding.ASCII.GetString(_buffer, _start, sizeEnd).Split(';')[0], 16);
                _start += sizeEnd + 2;
                await FillUntilAsync(() => _end - _start >= size + 2 ? 0 : -1, timeout.Token);
                chunks.Append(Encoding.UTF8.GetString(_buffer, _start, size));
                _start += size + 2;
                if (size == 0)
                {
                    return new RawHttpResponse(status, headers, chunks.ToString());
                }
            }
        }

        var length = headers.TryGetValue("Content-Length", out var l) ? int.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : 0;
        await FillUntilAsync(() => _end - _start >= length ? 0 : -1, timeout.Token);
        var text = Encoding.UTF8.GetString(_buffer, _start, length);
        _start += length;
        return new RawHttpResponse(status, headers, text);
    }

    public void Dispose() => _stream.Dispose();

    private async Task<int> FillUntilAsync(Func<int> found, CancellationToken cancellationToken)
    {
        while (true)
        {
            var at = found();
            if (at >= 0)
            {
                return at;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (n == 0)
            {
                throw new IOException("The server closed the connection before a whole response.");
            }

            _end += n;
        }
    }
}

/// <summary>A response read by <see cref="RawHttpConnection"/>.</summary>
public sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public bool ClosesConnection => Headers.TryGetValue("Connection", out var c) && c.Equals("close", StringComparison.OrdinalIgnoreCase);
}
