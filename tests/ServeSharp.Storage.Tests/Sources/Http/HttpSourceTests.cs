using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ServeSharp.Storage.Tests.Sources.Http;

public sealed class HttpSourceTests : IAsyncLifetime, IDisposable
{
    private const string Secret = "Bearer s3cret-token-value";
    private static readonly byte[] Model = Encoding.UTF8.GetBytes(new string('m', 300_000));
    private readonly TempDirectory _temp = new();
    private FakeServer _server = null!;
    private int _dropAttempts;
    private int _flakyAttempts;

    public async Task InitializeAsync()
    {
        _server = await FakeServer.StartAsync(app =>
        {
            app.MapGet("/models/model.onnx", async context =>
            {
                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = Model.Length;
                await context.Response.Body.WriteAsync(Model);
            });
            app.MapGet("/private/model.onnx", async context =>
            {
                if (context.Request.Headers.Authorization != Secret)
                {
                    context.Response.StatusCode = 401;
                    return;
                }

                context.Response.ContentType = "application/octet-stream";
                await context.Response.Body.WriteAsync(Model);
            });
            app.MapGet("/archives/model.tar.gz", async context =>
            {
                context.Response.ContentType = "application/x-gzip";
                await context.Response.Body.WriteAsync(new TarBuilder().File("model.onnx", "weights").File("sub/labels.txt", "a,b").ToGzip());
            });
            app.MapGet("/archives/model.zip", async context =>
            {
                context.Response.ContentType = "application/zip";
                await context.Response.Body.WriteAsync(Archives.SafeArchiveExtractorTests.Zip(("model.onnx", "weights")));
            });
            app.MapGet("/wrong-type/model.zip", async context =>
            {
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html/>");
            });
            app.MapGet("/drop/model.onnx", async context =>
            {
                Interlocked.Increment(ref _dropAttempts);
                await DropMidFileAsync(context);
            });
            app.MapGet("/flaky/model.onnx", async context =>
            {
                if (Interlocked.Increment(ref _flakyAttempts) == 1)
                {
                    await DropMidFileAsync(context);
                    return;
                }

                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = Model.Length;
                await context.Response.Body.WriteAsync(Model);
            });
            app.MapGet("/bad-md5/model.onnx", async context =>
            {
                context.Response.ContentType = "application/octet-stream";
                context.Response.Headers.ContentMD5 = Convert.ToBase64String(MD5.HashData(Encoding.UTF8.GetBytes("something else")));
                await context.Response.Body.WriteAsync(Model);
            });
            app.MapGet("/good-md5/model.onnx", async context =>
            {
                context.Response.ContentType = "application/octet-stream";
                context.Response.Headers.ContentMD5 = Convert.ToBase64String(MD5.HashData(Model));
                await context.Response.Body.WriteAsync(Model);
            });
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    private static async Task DropMidFileAsync(HttpContext context)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = Model.Length;
        await context.Response.Body.WriteAsync(Model.AsMemory(0, 100_000));
        await context.Response.Body.FlushAsync();
        context.Abort();
    }

    [Fact]
    public async Task SingleFile_IsSavedUnderItsName()
    {
        using var downloader = Downloaders.Create();
        var dest = _temp.Path_("model");

        await downloader.DownloadAsync(_server.Url("models/model.onnx"), dest);

        Assert.Equal(["model.onnx"], TempDirectory.Tree(dest));
        Assert.Equal(Model, File.ReadAllBytes(Path.Combine(dest, "model.onnx")));
    }

    [Fact]
    public async Task HostHeaderSecret_IsSent()
    {
        using var downloader = Downloaders.Create(new Dictionary<string, string> { ["127.0.0.1-headers"] = $"{{\"Authorization\": \"{Secret}\"}}" });
        var dest = _temp.Path_("model");

        await downloader.DownloadAsync(_server.Url("private/model.onnx"), dest);

        Assert.Equal(Model, File.ReadAllBytes(Path.Combine(dest, "model.onnx")));
    }

    [Fact]
    public async Task WrongHeaderSecret_GivesKServeMessageWithoutTheSecret()
    {
        const string wrong = "Bearer wrong-token-value";
        using var downloader = Downloaders.Create(new Dictionary<string, string> { ["127.0.0.1-headers"] = $"{{\"Authorization\": \"{wrong}\"}}" });

        var error = await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync(_server.Url("private/model.onnx") + "?sig=abcdef", _temp.Path_("model")));

        Assert.Equal(StorageErrorKind.AccessDenied, error.Kind);
        Assert.Equal($"URI: {_server.Url("private/model.onnx")}?*** returned a 401 response code.", error.Message);
        Assert.DoesNotContain("wrong-token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdef", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("archives/model.tar.gz")]
    [InlineData("archives/model.zip")]
    public async Task Archive_IsExtractedAndRemoved(string path)
    {
        using var downloader = Downloaders.Create();
        var dest = _temp.Path_("model");

        await downloader.DownloadAsync(_server.Url(path), dest);

        Assert.Contains("model.onnx", TempDirectory.Tree(dest));
        Assert.DoesNotContain(TempDirectory.Tree(dest), p => p.Contains("model.tar", StringComparison.Ordinal) || p.EndsWith(".zip", StringComparison.Ordinal));
        Assert.Equal("weights", File.ReadAllText(Path.Combine(dest, "model.onnx")));
    }

    [Fact]
    public async Task WrongContentType_GivesKServeMessage()
    {
        using var downloader = Downloaders.Create();

        var error = await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync(_server.Url("wrong-type/model.zip"), _temp.Path_("model")));

        Assert.Equal(
            $"URI: {_server.Url("wrong-type/model.zip")} did not respond with any of following 'Content-Type': application/x-zip-compressed, application/zip, application/zip-compressed",
            error.Message);
    }

    [Fact]
    public async Task MissingFile_IsNotFound()
    {
        using var downloader = Downloaders.Create();

        var error = await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync(_server.Url("nothing/model.onnx"), _temp.Path_("model")));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.Contains("returned a 404 response code", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoFileName_IsRejected()
    {
        using var downloader = Downloaders.Create();

        var error = await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync(_server.Url("models/"), _temp.Path_("model")));

        Assert.StartsWith("No filename contained in URI:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionDroppedEveryTime_IsRetriedThenFailsWithNoPartialModel()
    {
        using var downloader = Downloaders.Create(options: Downloaders.FastOptions(retries: 2));
        var dest = _temp.Path_("models/model");

        var error = await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync(_server.Url("drop/model.onnx"), dest));

        Assert.Equal(StorageErrorKind.Transfer, error.Kind);
        Assert.Contains("gave up after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _dropAttempts);
        Assert.False(Directory.Exists(dest));
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path_("models")));
    }

    [Fact]
    public async Task ServerThatNeverAnswers_TimesOutAsATransferFailure()
    {
        // Accepts connections and never sends a byte: the wait for response headers ends with HttpClient's
        // TaskCanceledException, which used to escape as such ("A task was canceled.") instead of the storage error.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<System.Net.Sockets.TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silent.AcceptTcpClientAsync());
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The listener stopped.
            }
        });
        var options = Downloaders.FastOptions(retries: 1);
        options.ReadTimeout = TimeSpan.FromMilliseconds(300);
        using var downloader = Downloaders.Create(options: options);
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<StorageException>(
            () => downloader.DownloadAsync($"http://127.0.0.1:{port}/models/model.onnx", _temp.Path_("models/model")));

        Assert.Equal(StorageErrorKind.Transfer, error.Kind);
        Assert.Contains("the request timed out (gave up after 2 attempts)", error.Message, StringComparison.Ordinal);
        silent.Stop();
        await accepting;
        accepted.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task ConnectionDropped_IntoExistingDestination_LeavesItEmpty()
    {
        using var downloader = Downloaders.Create(options: Downloaders.FastOptions(retries: 1));
        var dest = Directory.CreateDirectory(_temp.Path_("mnt/models")).FullName;

        await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync(_server.Url("drop/model.onnx"), dest));

        Assert.Empty(Directory.GetFileSystemEntries(dest));
    }

    [Fact]
    public async Task ConnectionDroppedOnce_IsRetriedAndSucceeds()
    {
        using var downloader = Downloaders.Create();
        var dest = _temp.Path_("model");

        await downloader.DownloadAsync(_server.Url("flaky/model.onnx"), dest);

        Assert.Equal(2, _flakyAttempts);
        Assert.Equal(Model, File.ReadAllBytes(Path.Combine(dest, "model.onnx")));
    }

    [Fact]
    public async Task ContentMd5Mismatch_IsAnIntegrityFailure()
    {
        using var downloader = Downloaders.Create(options: Downloaders.FastOptions(retries: 1));
        var dest = _temp.Path_("model");

        var error = await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync(_server.Url("bad-md5/model.onnx"), dest));

        Assert.Equal(StorageErrorKind.Integrity, error.Kind);
        Assert.Contains("MD5 mismatch", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dest));
    }

    [Fact]
    public async Task ContentMd5Match_IsAccepted()
    {
        using var downloader = Downloaders.Create();
        var dest = _temp.Path_("model");

        await downloader.DownloadAsync(_server.Url("good-md5/model.onnx"), dest);

        Assert.Equal(Model, File.ReadAllBytes(Path.Combine(dest, "model.onnx")));
    }
}
