using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Tests.Sources.Local;

public sealed class LocalSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Directory_TopLevelEntriesAreLinkedNotCopied()
    {
        _temp.Write("src/model.onnx", "weights");
        _temp.Write("src/sub/config.json", "{}");
        using var downloader = Downloaders.Create();
        var dest = _temp.Path_("dest");

        await downloader.DownloadAsync("file://" + _temp.Path_("src"), dest);

        Assert.Equal(["model.onnx", "sub"], Directory.GetFileSystemEntries(dest).Select(Path.GetFileName).Order());
        Assert.Equal(_temp.Path_("src/model.onnx"), new FileInfo(Path.Combine(dest, "model.onnx")).LinkTarget);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(dest, "sub/config.json")));
    }

    [Fact]
    public async Task SingleArchive_IsExtracted()
    {
        _temp.Write("src/model.tgz", new TarBuilder().File("model.onnx", "weights").ToGzip());
        using var downloader = Downloaders.Create();
        var dest = _temp.Path_("dest");

        await downloader.DownloadAsync(_temp.Path_("src"), dest);

        Assert.Equal(["model.onnx"], TempDirectory.Tree(dest));
        Assert.True(File.Exists(_temp.Path_("src/model.tgz")));
    }

    [Fact]
    public async Task MissingFileUri_IsNotFound()
    {
        using var downloader = Downloaders.Create();

        var error = await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync("file:///no/such/model", _temp.Path_("dest")));

        Assert.Equal("Local path file:///no/such/model does not exist.", error.Message);
    }

    [Fact]
    public async Task FileUriWithANulCharacter_IsAnInvalidUri()
    {
        using var downloader = Downloaders.Create();

        var error = await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync("file:///tmp/\0model", _temp.Path_("out")));

        Assert.Equal(StorageErrorKind.InvalidUri, error.Kind);
        Assert.Contains("NUL character", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pvc_ResolvesThroughTheClaimMap()
    {
        _temp.Write("claims/models-pvc/iris/model.onnx", "weights");
        var options = Downloaders.FastOptions();
        options.PvcClaims["models-pvc"] = _temp.Path_("claims/models-pvc");
        using var downloader = Downloaders.Create(options: options);
        var dest = _temp.Path_("dest");

        await downloader.DownloadAsync("pvc://models-pvc/iris", dest);

        Assert.Equal("weights", File.ReadAllText(Path.Combine(dest, "model.onnx")));
        Assert.Equal(_temp.Path_("claims/models-pvc/iris"), downloader.TryResolveLocal("pvc://models-pvc/iris"));
    }

    [Fact]
    public async Task Pvc_UnknownClaimOrEscape_IsRejected()
    {
        var options = Downloaders.FastOptions();
        options.PvcClaims["models-pvc"] = _temp.Path_("claims/models-pvc");
        using var downloader = Downloaders.Create(options: options);

        var unknown = await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync("pvc://other/iris", _temp.Path_("dest")));
        var escape = await Assert.ThrowsAsync<StorageException>(() => downloader.DownloadAsync("pvc://models-pvc/../../etc", _temp.Path_("dest")));

        Assert.Contains("PVC claim 'other' is not mapped", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(StorageErrorKind.InvalidUri, escape.Kind);
    }

    [Fact]
    public async Task AllowPatterns_FilterTopLevelEntries()
    {
        _temp.Write("src/model.onnx", "weights");
        _temp.Write("src/notes.md", "docs");
        using var downloader = Downloaders.Create(new Dictionary<string, string> { ["STORAGE_IGNORE_PATTERNS"] = "*.md" });
        var dest = _temp.Path_("dest");

        await downloader.DownloadAsync(_temp.Path_("src"), dest);

        Assert.Equal(["model.onnx"], TempDirectory.Tree(dest));
    }

    [Fact]
    public void RemoteUri_IsNotLocal()
    {
        using var downloader = Downloaders.Create();

        Assert.Null(downloader.TryResolveLocal("s3://bucket/model"));
        Assert.Equal("/tmp", downloader.TryResolveLocal("file:///tmp"));
    }

    [Fact]
    public void InvalidOptions_AreRejectedAtStartUp()
    {
        var options = new StorageOptions { MaxConcurrency = 0 };

        var error = Assert.Throws<StorageException>(() => new ModelDownloader(options, StorageEnvironment.Empty));

        Assert.Contains("MaxConcurrency", error.Message, StringComparison.Ordinal);
    }
}
