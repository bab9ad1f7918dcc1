using System.Security.Cryptography;

namespace ServeSharp.Storage.Tests.Sources.Gcs;

public sealed class GcsSourceTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private FakeGcs _gcs = null!;

    public async Task InitializeAsync()
    {
        _gcs = await FakeGcs.StartAsync();
        _gcs.Put("models", "iris/model.joblib", "joblib-bytes");
        _gcs.Put("models", "nested/model.onnx", "onnx-bytes");
        _gcs.Put("models", "nested/folder/", "");
        _gcs.Put("models", "nested/sub/config.json", "{}");
        _gcs.Put("models", "nested/sub/deep/labels.txt", "a,b,c");
        _gcs.Put("models", "nested/sub/deep/more.txt", "more");
        _gcs.Put("models", "archive/model.tgz", new TarBuilder().File("model.onnx", "from-archive").ToGzip());
        _gcs.Put("models", "corrupt/model.onnx", "onnx-bytes");
        _gcs.CorruptMd5("models", "corrupt/model.onnx");
        _gcs.Put("models", "drop/model.onnx", new byte[200_000]);
        _gcs.Put("private", "secret-model/model.onnx", "private-bytes");
    }

    public async Task DisposeAsync() => await _gcs.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, string> Environment(string? credentials = null)
    {
        var environment = new Dictionary<string, string> { ["STORAGE_EMULATOR_HOST"] = _gcs.Endpoint.AbsoluteUri };
        if (credentials is not null)
        {
            environment["GOOGLE_APPLICATION_CREDENTIALS"] = credentials;
        }

        return environment;
    }

    private async Task<string> DownloadAsync(string uri, Dictionary<string, string>? environment = null)
    {
        using var downloader = Downloaders.Create(environment ?? Environment());
        var dest = _temp.Path_("model");
        await downloader.DownloadAsync(uri, dest);
        return dest;
    }

    [Fact]
    public async Task Folder_IsMirroredAcrossPagesSkippingFolderMarkers()
    {
        var dest = await DownloadAsync("gs://models/nested");

        Assert.Equal(["model.onnx", "sub/config.json", "sub/deep/labels.txt", "sub/deep/more.txt"], TempDirectory.Tree(dest));
        Assert.Equal("a,b,c", File.ReadAllText(Path.Combine(dest, "sub/deep/labels.txt")));
    }

    [Fact]
    public async Task SingleObject_IsSavedUnderItsBaseName()
    {
        var dest = await DownloadAsync("gs://models/iris/model.joblib");

        Assert.Equal(["model.joblib"], TempDirectory.Tree(dest));
        Assert.Equal("joblib-bytes", File.ReadAllText(Path.Combine(dest, "model.joblib")));
    }

    [Fact]
    public async Task SingleArchive_IsExtracted()
    {
        var dest = await DownloadAsync("gs://models/archive");

        Assert.Equal(["model.onnx"], TempDirectory.Tree(dest));
    }

    [Fact]
    public async Task ServiceAccount_SignsAJwtAndUsesTheIssuedToken()
    {
        var credentials = _gcs.WriteCredentials(_temp.Root);

        var dest = await DownloadAsync("gs://private/secret-model", Environment(credentials));

        Assert.Equal("private-bytes", File.ReadAllText(Path.Combine(dest, "model.onnx")));
        Assert.Equal(1, _gcs.TokensIssued);
    }

    [Fact]
    public async Task Anonymous_OnPrivateBucket_IsAClear401()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("gs://private/secret-model"));

        Assert.Equal(StorageErrorKind.AccessDenied, error.Kind);
        Assert.StartsWith("Access denied (HTTP 401) for gs://private/secret-model: check GOOGLE_APPLICATION_CREDENTIALS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UntrustedServiceAccountKey_IsRefusedWithoutLeakingTheKey()
    {
        using var other = RSA.Create(2048);
        var credentials = _gcs.WriteCredentials(_temp.Root, other);

        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("gs://private/secret-model", Environment(credentials)));

        Assert.Equal(StorageErrorKind.AccessDenied, error.Kind);
        Assert.Contains($"refused the credentials of {FakeGcs.ServiceAccount} (HTTP 400)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _gcs.TokensIssued);
    }

    [Fact]
    public async Task MissingCredentialsFile_IsAConfigurationError()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("gs://models/nested", Environment("/no/such/creds.json")));

        Assert.Equal("GOOGLE_APPLICATION_CREDENTIALS points to /no/such/creds.json, which does not exist.", error.Message);
    }

    [Fact]
    public async Task MissingBucket_IsNamed()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("gs://missing/model"));

        Assert.Equal(StorageErrorKind.NotFound, error.Kind);
        Assert.StartsWith("Bucket 'missing' does not exist (gs://missing/model).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingObject_IsNoModelFound()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("gs://models/iris/other.joblib"));

        Assert.Equal("Failed to fetch model. No model found in gs://models/iris/other.joblib.", error.Message);
    }

    [Fact]
    public async Task Md5Mismatch_IsAnIntegrityFailureWithNoPartialModel()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("gs://models/corrupt"));

        Assert.Equal(StorageErrorKind.Integrity, error.Kind);
        Assert.Contains("MD5 mismatch", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Root));
    }

    [Fact]
    public async Task ConnectionDroppedMidFile_IsRetriedThenFailsCleanly()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync("gs://models/drop"));

        Assert.Equal(StorageErrorKind.Transfer, error.Kind);
        Assert.Equal(3, _gcs.DropAttempts);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Root));
    }
}
