namespace ServeSharp.Storage.Tests.Sources.HuggingFace;

public sealed class HuggingFaceSourceTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private FakeHub _hub = null!;

    public async Task InitializeAsync() => _hub = await FakeHub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    private async Task<string> DownloadAsync(string uri, Dictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string> { ["HF_ENDPOINT"] = _hub.Endpoint.AbsoluteUri };
        foreach (var (key, value) in extra ?? [])
        {
            environment[key] = value;
        }

        using var downloader = Downloaders.Create(environment);
        var dest = _temp.Path_("model");
        await downloader.DownloadAsync(uri, dest);
        return dest;
    }

    [Fact]
    public async Task Snapshot_DownloadsEveryFileOfTheResolvedCommit()
    {
        var dest = await DownloadAsync("hf://acme/iris");

        Assert.Equal(["README.md", "config.json", "model.safetensors", "onnx/model.onnx"], TempDirectory.Tree(dest));
        Assert.Equal(100_000, new FileInfo(Path.Combine(dest, "model.safetensors")).Length);
    }

    [Fact]
    public async Task Revision_IsHonoured()
    {
        var dest = await DownloadAsync("hf://acme/iris:v1.0");

        Assert.Equal(["config.json"], TempDirectory.Tree(dest));
        Assert.Contains("iris-v1", File.ReadAllText(Path.Combine(dest, "config.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowAndIgnorePatterns_Apply()
    {
        var dest = await DownloadAsync("hf://acme/iris", new() { ["STORAGE_ALLOW_PATTERNS"] = "[\"*.json\", \"onnx/\"]", ["STORAGE_IGNORE_PATTERNS"] = "*.md" });

        Assert.Equal(["config.json", "onnx/model.onnx"], TempDirectory.Tree(dest));
    }

    [Fact]
    public async Task PrivateRepository_NeedsHfToken()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("hf://acme/private"));
        var dest = await DownloadAsync("hf://acme/private", new() { ["HF_TOKEN"] = FakeHub.Token });

        Assert.Equal(StorageErrorKind.AccessDenied, error.Kind);
        Assert.Contains("set HF_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.Equal(["config.json"], TempDirectory.Tree(dest));
    }

    [Fact]
    public async Task UnknownRevision_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("hf://acme/iris:nope"));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.Contains("revision 'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LfsHashMismatch_IsAnIntegrityFailure()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("hf://acme/tampered"));

        Assert.Equal(StorageErrorKind.Integrity, error.Kind);
        Assert.Contains("SHA-256 mismatch", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Root));
    }

    [Theory]
    [InlineData("hf://acme", "URI must contain exactly one '/' separating the repo and model name")]
    [InlineData("hf://acme/iris/extra", "URI must contain exactly one '/' separating the repo and model name")]
    [InlineData("hf:///iris", "Repository name cannot be empty")]
    [InlineData("hf://acme/:main", "Model name cannot be empty")]
    public async Task MalformedUri_GivesKServeMessage(string uri, string message)
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync(uri));

        Assert.Equal(message, error.Message);
    }
}
