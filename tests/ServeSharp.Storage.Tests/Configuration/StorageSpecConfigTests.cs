using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Tests.Configuration;

public sealed class StorageSpecConfigTests
{
    [Fact]
    public void S3Spec_MapsKeysToKServeVariables_WithOverrides()
    {
        var environment = StorageEnvironment.From(new Dictionary<string, string>
        {
            ["STORAGE_CONFIG"] = "{\"type\":\"s3\",\"access_key_id\":\"id\",\"secret_access_key\":\"secret\",\"endpoint_url\":\"http://minio:9000\",\"region\":\"eu-west-1\",\"verify_ssl\":false,\"anonymous\":\"false\",\"bucket\":\"models\"}",
            ["STORAGE_OVERRIDE_CONFIG"] = "{\"region\":\"us-east-2\"}",
        });

        var applied = StorageSpecConfig.Apply(environment);

        Assert.Equal("id", applied.Get("AWS_ACCESS_KEY_ID"));
        Assert.Equal("secret", applied.Get("AWS_SECRET_ACCESS_KEY"));
        Assert.Equal("http://minio:9000", applied.Get("AWS_ENDPOINT_URL"));
        Assert.Equal("us-east-2", applied.Get("AWS_DEFAULT_REGION"));
        Assert.Equal("false", applied.Get("S3_VERIFY_SSL"));
        Assert.Equal("false", applied.Get("awsAnonymousCredential"));
    }

    [Fact]
    public void NonS3Spec_LeavesTheEnvironmentAlone()
    {
        var environment = StorageEnvironment.From(new Dictionary<string, string> { ["STORAGE_CONFIG"] = "{\"type\":\"hdfs\"}" });

        Assert.Same(environment, StorageSpecConfig.Apply(environment));
    }

    [Fact]
    public void InvalidJson_IsReportedWithoutItsContent()
    {
        var environment = StorageEnvironment.From(new Dictionary<string, string> { ["STORAGE_CONFIG"] = "{\"secret_access_key\": \"hunter2-secret\"" });

        var error = Assert.Throws<StorageException>(() => StorageSpecConfig.Apply(environment));

        Assert.StartsWith("STORAGE_CONFIG is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}
