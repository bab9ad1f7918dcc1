using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Sources.S3;

/// <summary>
/// The S3 client settings KServe reads from the environment: <c>AWS_ENDPOINT_URL</c> (or <c>S3_ENDPOINT</c> +
/// <c>S3_USE_HTTPS</c>), <c>AWS_DEFAULT_REGION</c>, <c>awsAnonymousCredential</c>, <c>S3_USER_VIRTUAL_BUCKET</c>,
/// <c>S3_USE_ACCELERATE</c>, <c>S3_VERIFY_SSL</c>, <c>AWS_CA_BUNDLE</c> / <c>CA_BUNDLE_CONFIGMAP_NAME</c>,
/// access keys and <c>S3_MAX_FILE_CONCURRENCY</c>.
/// </summary>
internal sealed record S3Settings(
    string? Endpoint,
    string? Region,
    bool Anonymous,
    bool VirtualAddressing,
    bool Accelerate,
    bool VerifySsl,
    string? CaBundlePath,
    string? AccessKeyId,
    string? SecretAccessKey,
    string? SessionToken,
    int MaxConcurrency)
{
    public static S3Settings From(StorageEnvironment environment, int defaultConcurrency)
    {
        var endpoint = environment.Get("AWS_ENDPOINT_URL");
        if (endpoint is null && environment.Get("S3_ENDPOINT") is { } host)
        {
            endpoint = host.Contains("://", StringComparison.Ordinal) ? host : (environment.Get("S3_USE_HTTPS") == "0" ? "http://" : "https://") + host;
        }

        var region = environment.Get("AWS_DEFAULT_REGION") ?? environment.Get("AWS_REGION");
        var virtualAddressing = environment.IsTrue("S3_USER_VIRTUAL_BUCKET")
            || (endpoint == "https://s3.amazonaws.com" && region is not null && region != "us-east-1");

        var verifyRaw = environment.Get("S3_VERIFY_SSL");
        var verify = verifyRaw is null || !(verifyRaw.Equals("0", StringComparison.Ordinal) || verifyRaw.Equals("false", StringComparison.OrdinalIgnoreCase));
        string? caBundle = null;
        if (verify)
        {
            if (environment.Get("AWS_CA_BUNDLE") is { } bundle)
            {
                caBundle = bundle;
            }
            else if (environment.Get("CA_BUNDLE_CONFIGMAP_NAME") is not null)
            {
                caBundle = Path.Combine(environment.Get("CA_BUNDLE_VOLUME_MOUNT_POINT") ?? "/etc/ssl/custom-certs", "cabundle.crt");
            }

            if (caBundle is not null && !File.Exists(caBundle))
            {
                throw new StorageException(StorageErrorKind.Configuration, $"Failed to find ca bundle file({caBundle}).");
            }
        }

        return new S3Settings(
            endpoint,
            region,
            environment.IsTrue("awsAnonymousCredential"),
            virtualAddressing,
            environment.IsTrue("S3_USE_ACCELERATE"),
            verify,
            caBundle,
            environment.Get("AWS_ACCESS_KEY_ID"),
            environment.Get("AWS_SECRET_ACCESS_KEY"),
            environment.Get("AWS_SESSION_TOKEN"),
            environment.GetPositiveInt("S3_MAX_FILE_CONCURRENCY", defaultConcurrency));
    }
}
