namespace ServeSharp.Storage.Tests.Sources.Azure;

public sealed class AzureBlobSourceTests : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly AzuriteFixture _azure;
    private readonly TempDirectory _temp = new();

    public AzureBlobSourceTests(AzuriteFixture azure)
    {
        _azure = azure;
    }

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, string> ConnectionString(string key = AzuriteFixture.Key) =>
        new() { ["AZURE_STORAGE_CONNECTION_STRING"] = _azure.ConnectionString(key) };

    private async Task<string> DownloadAsync(string path, Dictionary<string, string>? environment = null)
    {
        using var downloader = Downloaders.Create(environment ?? ConnectionString());
        var dest = _temp.Path_("model");
        await downloader.DownloadAsync(AzuriteFixture.Uri(path), dest);
        return dest;
    }

    [Fact]
    public async Task Prefix_KeepsNestedFoldersAndSkipsEmptyBlobs()
    {
        var dest = await DownloadAsync("nested");

        Assert.Equal(["model.onnx", "sub/config.json", "sub/deep/labels.txt"], TempDirectory.Tree(dest));
        Assert.Equal("a,b,c", File.ReadAllText(Path.Combine(dest, "sub/deep/labels.txt")));
    }

    [Fact]
    public async Task SingleBlob_IsSavedUnderItsBaseName()
    {
        var dest = await DownloadAsync("single/model.joblib");

        Assert.Equal(["model.joblib"], TempDirectory.Tree(dest));
        Assert.Equal("joblib-bytes", File.ReadAllText(Path.Combine(dest, "model.joblib")));
    }

    [Fact]
    public async Task Prefix_AlsoMatchesSiblingPrefixes_AsKServeDoes()
    {
        var dest = await DownloadAsync("model");

        Assert.Equal(["2/b.txt", "a.txt"], TempDirectory.Tree(dest));
    }

    [Theory]
    [InlineData("archives/tgz")]
    [InlineData("archives/zip")]
    public async Task SingleArchive_IsExtracted(string path)
    {
        var dest = await DownloadAsync(path);

        Assert.Equal(["model.onnx", "sub/config.json"], TempDirectory.Tree(dest));
    }

    [Fact]
    public async Task ZipSlipArchive_IsRejected()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("hostile"));

        Assert.Equal(StorageErrorKind.Archive, error.Kind);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Root));
    }

    [Fact]
    public async Task AccountKeyWithServiceUrlOverride_Works()
    {
        var environment = new Dictionary<string, string>
        {
            ["AZURE_SERVICE_URL"] = _azure.ServiceUrl,
            ["AZURE_STORAGE_ACCESS_KEY"] = AzuriteFixture.Key,
        };

        var dest = await DownloadAsync("nested", environment);

        Assert.Equal(3, TempDirectory.Tree(dest).Length);
    }

    [Fact]
    public async Task WrongAccountKey_IsAClear403WithoutTheKey()
    {
        var wrongKey = Convert.ToBase64String(new byte[64].Select((_, i) => (byte)i).ToArray());
        var environment = new Dictionary<string, string>
        {
            ["AZURE_SERVICE_URL"] = _azure.ServiceUrl,
            ["AZURE_STORAGE_ACCESS_KEY"] = wrongKey,
        };

        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("nested", environment));

        Assert.Equal(StorageErrorKind.AccessDenied, error.Kind);
        Assert.StartsWith("Access denied (HTTP 403", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Path_("model")));
    }

    [Fact]
    public async Task MissingContainer_IsNamed()
    {
        using var downloader = Downloaders.Create(ConnectionString());

        var error = await Assert.ThrowsAsync<StorageException>(() =>
            downloader.DownloadAsync($"https://{AzuriteFixture.Account}.blob.core.windows.net/nope/model", _temp.Path_("model")));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.StartsWith("Container 'nope' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingPrefix_IsNoModelFound()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("nothing-here"));

        Assert.Equal($"Failed to fetch model. No model found in {AzuriteFixture.Uri("nothing-here")}.", error.Message);
    }
}
