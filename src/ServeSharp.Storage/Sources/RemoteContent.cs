namespace ServeSharp.Storage.Sources;

/// <summary>An open download: the body plus what the response announced about it.</summary>
internal sealed class RemoteContent : IAsyncDisposable
{
    private readonly IDisposable? _owner;

    public RemoteContent(Stream stream, long? length, byte[]? md5 = null, IDisposable? owner = null)
    {
        Stream = stream;
        Length = length;
        Md5 = md5;
        _owner = owner;
    }

    /// <summary>The body.</summary>
    public Stream Stream { get; }

    /// <summary>Content-Length of this response, if given.</summary>
    public long? Length { get; }

    /// <summary>MD5 announced by this response (Content-MD5, ETag of a single-part object), if any.</summary>
    public byte[]? Md5 { get; }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        _owner?.Dispose();
    }
}
