namespace ServeSharp.Storage.Tests.Sources.S3;

public sealed class S3SourceTests : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly S3rverFixture _s3;
    private readonly TempDirectory _temp = new();

    public S3SourceTests(S3rverFixture s3)
    {
        _s3 = s3;
    }

    public void Dispose() => _temp.Dispose();

    private async Task<string> DownloadAsync(string uri, Dictionary<string, string>? environment = null)
    {
        using var downloader = Downloaders.Create(environment ?? _s3.Environment());
        var dest = _temp.Path_("model");
        await downloader.DownloadAsync(uri, dest);
        return dest;
    }

    [Fact]
    public async Task ExactKey_DownloadsOnlyThatObjectUnderItsBaseName()
    {
        var dest = await DownloadAsync("s3://models/iris/model.joblib");

        // "iris/model.joblib.bak" shares the prefix but the exact match wins.
        Assert.Equal(["model.joblib"], TempDirectory.Tree(dest));
        Assert.Equal("joblib-bytes", File.ReadAllText(Path.Combine(dest, "model.joblib")));
    }

    [Fact]
    public async Task Prefix_KeepsNestedFoldersAndSkipsEmptyObjectsAndFolderMarkers()
    {
        var dest = await DownloadAsync("s3://models/nested");

        Assert.Equal(["model.onnx", "sub/config.json", "sub/deep/labels.txt"], TempDirectory.Tree(dest));
        Assert.Equal("a,b,c", File.ReadAllText(Path.Combine(dest, "sub/deep/labels.txt")));
    }

    [Fact]
    public async Task Prefix_AlsoMatchesSiblingPrefixes_AsKServeDoes()
    {
        // KServe lists with the raw string prefix: s3://models/model also picks up model2/b.txt, saved as "2/b.txt".
        var dest = await DownloadAsync("s3://models/model");

        Assert.Equal(["2/b.txt", "a.txt"], TempDirectory.Tree(dest));
    }

    [Fact]
    public async Task PrefixWithTrailingSlash_DoesNotMatchSiblings()
    {
        var dest = await DownloadAsync("s3://models/model/");

        Assert.Equal(["a.txt"], TempDirectory.Tree(dest));
    }

    [Theory]
    [InlineData("plain-tar")]
    [InlineData("tgz")]
    [InlineData("gzipped-tar")]
    [InlineData("zip")]
    public async Task SingleArchive_IsExtractedAndRemoved(string folder)
    {
        var dest = await DownloadAsync($"s3://models/archives/{folder}");

        Assert.Equal(["model.onnx", "sub/config.json"], TempDirectory.Tree(dest));
        Assert.Equal("from-archive", File.ReadAllText(Path.Combine(dest, "model.onnx")));
    }

    [Fact]
    public async Task HostileArchive_IsRejectedAndNothingIsWritten()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("s3://models/hostile"));

        Assert.Equal(StorageErrorKind.Archive, error.Kind);
        Assert.False(Directory.Exists(_temp.Path_("model")));
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Root));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_temp.Root)!, "escaped.txt")));
    }

    [Fact]
    public async Task LargerObject_IsDownloadedWholeAndVerified()
    {
        var dest = await DownloadAsync("s3://models/big");

        Assert.Equal(3 * 1024 * 1024 + 17, new FileInfo(Path.Combine(dest, "weights.bin")).Length);
    }

    [Fact]
    public async Task WrongCredentials_AreAClear403WithoutTheSecret()
    {
        // s3rver checks the access key id (it does not verify SigV4 signatures), so both are wrong here.
        const string keyId = "AKIAWRONGKEYID12345";
        const string secret = "not-the-right-secret-key-123";
        var environment = _s3.Environment(secret);
        environment["AWS_ACCESS_KEY_ID"] = keyId;

        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("s3://models/nested", environment));

        Assert.Equal(StorageErrorKind.AccessDenied, error.Kind);
        Assert.StartsWith("Access denied (HTTP 403", error.Message, StringComparison.Ordinal);
        Assert.Contains("s3://models/nested", error.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidAccessKeyId", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(keyId, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Path_("model")));
    }

    [Fact]
    public async Task MissingBucket_IsNamed()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("s3://no-such-bucket/model"));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.Equal("Bucket 'no-such-bucket' does not exist (s3://no-such-bucket/model).", error.Message);
    }

    [Fact]
    public async Task MissingPrefix_IsNoModelFound()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("s3://models/nothing-here"));

        Assert.Equal("Failed to fetch model. No model found in s3://models/nothing-here.", error.Message);
    }

    [Fact]
    public async Task StorageConfigJson_SuppliesEndpointAndCredentials()
    {
        var config = $"{{\"type\": \"s3\", \"access_key_id\": \"{S3rverFixture.AccessKey}\", \"secret_access_key\": \"wrong\", \"endpoint_url\": \"{_s3.Endpoint}\", \"region\": \"us-east-1\"}}";
        var environment = new Dictionary<string, string>
        {
            ["STORAGE_CONFIG"] = config,
            ["STORAGE_OVERRIDE_CONFIG"] = $"{{\"secret_access_key\": \"{S3rverFixture.SecretKey}\"}}",
        };

        var dest = await DownloadAsync("s3://models/iris/model.joblib", environment);

        Assert.Equal(["model.joblib"], TempDirectory.Tree(dest));
    }

    [Fact]
    public async Task IgnorePatterns_FilterRelativePaths()
    {
        var environment = _s3.Environment();
        environment["STORAGE_IGNORE_PATTERNS"] = "[\"sub/deep/*\"]";

        var dest = await DownloadAsync("s3://models/nested", environment);

        Assert.Equal(["model.onnx", "sub/config.json"], TempDirectory.Tree(dest));
    }
}
