using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace ServeSharp.Storage.Sources.S3;

/// <summary>Builds an <see cref="AmazonS3Client"/> from <see cref="S3Settings"/>; retries are left to the storage pipeline.</summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(S3Settings settings, TimeSpan connectTimeout, TimeSpan readTimeout)
    {
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 0,
            Timeout = connectTimeout + readTimeout,
            UseAccelerateEndpoint = settings.Accelerate,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.Endpoint is not null)
        {
            config.ServiceURL = settings.Endpoint;
            config.AuthenticationRegion = settings.Region ?? "us-east-1";

            // Custom endpoints (MinIO, Ceph, emulators) use path-style unless virtual addressing was asked for.
            config.ForcePathStyle = !settings.VirtualAddressing;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region ?? "us-east-1");
            config.ForcePathStyle = false;
        }

        if (!settings.VerifySsl || settings.CaBundlePath is not null)
        {
            config.HttpClientFactory = new S3HttpClientFactory(settings, connectTimeout);
        }

        AWSCredentials? credentials = settings switch
        {
            { Anonymous: true } => new AnonymousAWSCredentials(),
            { AccessKeyId: { } id, SecretAccessKey: { } secret, SessionToken: { } token } => new SessionAWSCredentials(id, secret, token),
            { AccessKeyId: { } id, SecretAccessKey: { } secret } => new BasicAWSCredentials(id, secret),
            _ => null,
        };
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    private sealed class S3HttpClientFactory : HttpClientFactory
    {
        private readonly S3Settings _settings;
        private readonly TimeSpan _connectTimeout;

        public S3HttpClientFactory(S3Settings settings, TimeSpan connectTimeout)
        {
            _settings = settings;
            _connectTimeout = connectTimeout;
        }

        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var handler = new HttpClientHandler();
            handler.ServerCertificateCustomValidationCallback = _settings.VerifySsl
                ? TlsTrust.CustomBundle(_settings.CaBundlePath!)
                : TlsTrust.AcceptAny;
#pragma warning disable CA5400 // revocation is the CA bundle owner's business, as with boto3's verify=<bundle>
            handler.CheckCertificateRevocationList = false;
#pragma warning restore CA5400
            return new HttpClient(handler) { Timeout = clientConfig.Timeout ?? _connectTimeout };
        }
    }
}
