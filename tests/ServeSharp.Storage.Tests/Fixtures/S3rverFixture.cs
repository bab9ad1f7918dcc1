using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ServeSharp.Storage.Tests.Fixtures;

/// <summary>The npm <c>s3rver</c> S3 emulator on a free loopback port, with a populated <c>models</c> bucket.</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public const string Bucket = "models";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private readonly TempDirectory _data = new();
    private NodeEmulator? _emulator;

    public string Endpoint => $"http://127.0.0.1:{_emulator!.Port}";

    public Dictionary<string, string> Environment(string? secret = null) => new()
    {
        ["AWS_ENDPOINT_URL"] = Endpoint,
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = secret ?? SecretKey,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
    };

    public async Task InitializeAsync()
    {
        _emulator = await NodeEmulator.StartAsync("s3rver/bin/s3rver.js", port => ["-d", _data.Root, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"]);
        using var client = new AmazonS3Client(
            new BasicAWSCredentials(AccessKey, SecretKey),
            new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await client.PutBucketAsync(Bucket);
        foreach (var (key, content) in Objects())
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(content), UseChunkEncoding = false });
        }
    }

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        _data.Dispose();
    }

    public static IEnumerable<(string Key, byte[] Content)> Objects()
    {
        static byte[] Text(string s) => System.Text.Encoding.UTF8.GetBytes(s);
        yield return ("iris/model.joblib", Text("joblib-bytes"));
        yield return ("iris/model.joblib.bak", Text("backup"));
        yield return ("nested/model.onnx", Text("onnx-bytes"));
        yield return ("nested/sub/config.json", Text("{}"));
        yield return ("nested/sub/deep/labels.txt", Text("a,b,c"));
        yield return ("nested/empty.txt", []);
        yield return ("nested/folder/", []);
        yield return ("model/a.txt", Text("a"));
        yield return ("model2/b.txt", Text("b"));
        var tar = new TarBuilder().File("model.onnx", "from-archive").File("sub/config.json", "{}");
        yield return ("archives/plain-tar/model.tar", tar.ToArray());
        yield return ("archives/tgz/model.tgz", tar.ToGzip());
        yield return ("archives/gzipped-tar/model.tar.gz", tar.ToGzip());
        yield return ("archives/zip/model.zip", Archives.SafeArchiveExtractorTests.Zip(("model.onnx", "from-archive"), ("sub/config.json", "{}")));
        yield return ("hostile/model.tar.gz", new TarBuilder().File("model.onnx", "x").File("../../escaped.txt", "pwned").ToGzip());
        yield return ("big/weights.bin", new byte[3 * 1024 * 1024 + 17]);
    }
}
