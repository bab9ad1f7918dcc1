using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using ServeSharp.Storage.Cache;

namespace ServeSharp.Storage.Tests.Cache;

public sealed class ModelCacheTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<string, string> _etags = new(StringComparer.Ordinal) { ["a"] = "\"a1\"", ["b"] = "\"b1\"", ["c"] = "\"c1\"" };
    private FakeServer _server = null!;
    private int _gets;

    public async Task InitializeAsync()
    {
        _server = await FakeServer.StartAsync(app =>
        {
            app.MapMethods("/{name}/model.bin", ["GET", "HEAD"], async (HttpContext context, string name) =>
            {
                context.Response.ContentType = "application/octet-stream";
                context.Response.Headers.ETag = _etags[name];
                var body = new byte[100_000];
                Array.Fill(body, (byte)_etags[name][1]);
                context.Response.ContentLength = body.Length;
                if (HttpMethods.IsGet(context.Request.Method))
                {
                    Interlocked.Increment(ref _gets);
                    await context.Response.Body.WriteAsync(body);
                }
            });
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    private ModelCache Cache(ModelDownloader downloader, long maxBytes = 1L << 30) =>
        new(new ModelCacheOptions { Root = _temp.Path_("cache"), MaxBytes = maxBytes }, downloader, _time);

    [Fact]
    public async Task SameModel_IsDownloadedOnce()
    {
        using var downloader = Downloaders.Create();
        var cache = Cache(downloader);

        var first = await cache.GetAsync(_server.Url("a/model.bin"));
        var second = await cache.GetAsync(_server.Url("a/model.bin"));

        Assert.Equal(first, second);
        Assert.Equal(1, _gets);
        Assert.Equal(100_000, new FileInfo(Path.Combine(first, "model.bin")).Length);
        Assert.StartsWith(_temp.Path_("cache"), first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangedETag_GetsANewFolder()
    {
        using var downloader = Downloaders.Create();
        var cache = Cache(downloader);

        var first = await cache.GetAsync(_server.Url("a/model.bin"));
        _etags["a"] = "\"a2\"";
        var second = await cache.GetAsync(_server.Url("a/model.bin"));

        Assert.NotEqual(first, second);
        Assert.Equal(2, _gets);
    }

    [Fact]
    public async Task OverTheCap_LeastRecentlyUsedIsEvicted()
    {
        using var downloader = Downloaders.Create();
        var cache = Cache(downloader, maxBytes: 250_000);

        var a = await cache.GetAsync(_server.Url("a/model.bin"));
        _time.Advance(TimeSpan.FromMinutes(1));
        var b = await cache.GetAsync(_server.Url("b/model.bin"));
        _time.Advance(TimeSpan.FromMinutes(1));
        await cache.GetAsync(_server.Url("a/model.bin")); // a is now more recent than b
        _time.Advance(TimeSpan.FromMinutes(1));
        var c = await cache.GetAsync(_server.Url("c/model.bin"));

        Assert.True(Directory.Exists(a));
        Assert.False(Directory.Exists(b));
        Assert.True(Directory.Exists(c));
        Assert.False(File.Exists(b + ".json"));
        Assert.Equal(3, _gets);
    }

    [Fact]
    public async Task FolderWithoutRecord_IsDownloadedAgain()
    {
        using var downloader = Downloaders.Create();
        var cache = Cache(downloader);
        var first = await cache.GetAsync(_server.Url("a/model.bin"));
        File.Delete(first + ".json");
        File.WriteAllText(Path.Combine(first, "model.bin"), "half");

        var second = await cache.GetAsync(_server.Url("a/model.bin"));

        Assert.Equal(first, second);
        Assert.Equal(2, _gets);
        Assert.Equal(100_000, new FileInfo(Path.Combine(second, "model.bin")).Length);
    }

    [Fact]
    public async Task LocalUri_IsReturnedAsIs()
    {
        var local = Directory.CreateDirectory(_temp.Path_("local-model")).FullName;
        using var downloader = Downloaders.Create();

        var result = await Cache(downloader).GetAsync(local);

        Assert.Equal(local, result);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path_("cache")));
    }

    [Fact]
    public async Task FailedDownload_LeavesNothingInTheCache()
    {
        using var downloader = Downloaders.Create();

        await Assert.ThrowsAsync<StorageException>(() => Cache(downloader).GetAsync(_server.Url("missing/model.bin")));

        Assert.Empty(Directory.EnumerateFiles(_temp.Path_("cache"), "*", SearchOption.AllDirectories));
    }
}
