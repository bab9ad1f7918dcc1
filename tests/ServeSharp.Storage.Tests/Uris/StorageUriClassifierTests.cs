using ServeSharp.Storage.Uris;

namespace ServeSharp.Storage.Tests.Uris;

public sealed class StorageUriClassifierTests
{
    [Theory]
    [InlineData("gs://bucket/model", StorageUriKind.Gcs)]
    [InlineData("s3://bucket/model", StorageUriKind.S3)]
    [InlineData("https://acct.blob.core.windows.net/container/model", StorageUriKind.AzureBlob)]
    [InlineData("https://acct.z12.blob.storage.azure.net/container/model", StorageUriKind.AzureBlob)]
    [InlineData("hf://owner/model:main", StorageUriKind.HuggingFace)]
    [InlineData("https://example.com/models/model.tar.gz", StorageUriKind.Http)]
    [InlineData("http://example.com/model.onnx?x=1", StorageUriKind.Http)]
    [InlineData("pvc://claim/path", StorageUriKind.Pvc)]
    [InlineData("file:///anything", StorageUriKind.Local)]
    [InlineData("/mnt/models/sub", StorageUriKind.ModelMount)]
    public void Uri_DispatchesToItsHandler(string uri, StorageUriKind kind)
    {
        Assert.Equal(kind, StorageUriClassifier.Classify(uri));
    }

    [Fact]
    public void ExistingLocalPath_IsLocal()
    {
        Assert.Equal(StorageUriKind.Local, StorageUriClassifier.Classify(Path.GetTempPath()));
    }

    [Theory]
    [InlineData("hdfs://namenode/model", "not supported yet: hdfs")]
    [InlineData("webhdfs://namenode/model", "not supported yet: webhdfs")]
    [InlineData("oci://registry/repo:tag", "not supported yet: oci")]
    [InlineData("oci+modelcar://registry/repo:tag", "not supported yet: oci")]
    [InlineData("modelscope://owner/model", "not supported yet: modelscope")]
    [InlineData("https://github.com/owner/repo.git", "not supported yet: git")]
    [InlineData("https://acct.file.core.windows.net/share/model", "not supported yet: azure-file-share")]
    public void UnsupportedScheme_IsNamed(string uri, string message)
    {
        var error = Assert.Throws<StorageException>(() => StorageUriClassifier.Classify(uri));

        Assert.Equal(StorageErrorKind.NotSupported, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void MissingPvcMount_IsKServeError()
    {
        var error = Assert.Throws<StorageException>(() => StorageUriClassifier.Classify("/mnt/pvc/no-such-model"));

        Assert.Equal("Cannot locate source uri /mnt/pvc/no-such-model for PVC", error.Message);
    }

    [Fact]
    public void UnknownScheme_ListsTheSupportedOnes()
    {
        var error = Assert.Throws<StorageException>(() => StorageUriClassifier.Classify("ftp:model?token=secret"));

        Assert.StartsWith("Cannot recognize storage type for ftp:model", error.Message, StringComparison.Ordinal);
        Assert.Contains("'s3://'", error.Message, StringComparison.Ordinal);
    }
}
