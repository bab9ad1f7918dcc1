using System.Globalization;
using Azure.Storage.Blobs;

namespace ServeSharp.Storage.Tests.Fixtures;

/// <summary>The npm <c>azurite</c> Blob emulator on a free loopback port, with a populated <c>models</c> container.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string Account = "devstoreaccount1";
    public const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    public const string Container = "models";
    private readonly TempDirectory _data = new();
    private NodeEmulator? _emulator;

    public string ServiceUrl => $"http://127.0.0.1:{_emulator!.Port}/{Account}";

    public string ConnectionString(string key = Key) =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={key};BlobEndpoint={ServiceUrl};";

    public static string Uri(string path) => $"https://{Account}.blob.core.windows.net/{Container}/{path}";

    public async Task InitializeAsync()
    {
        _emulator = await NodeEmulator.StartAsync("azurite/dist/src/blob/main.js", port =>
        [
            "--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture),
            "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--loose",
        ]);
        var container = new BlobServiceClient(ConnectionString()).GetBlobContainerClient(Container);
        await container.CreateAsync();
        foreach (var (name, content) in Blobs())
        {
            await container.UploadBlobAsync(name, new BinaryData(content));
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

    private static IEnumerable<(string Name, byte[] Content)> Blobs()
    {
        static byte[] Text(string s) => System.Text.Encoding.UTF8.GetBytes(s);
        yield return ("single/model.joblib", Text("joblib-bytes"));
        yield return ("nested/model.onnx", Text("onnx-bytes"));
        yield return ("nested/sub/config.json", Text("{}"));
        yield return ("nested/sub/deep/labels.txt", Text("a,b,c"));
        yield return ("nested/empty.txt", []);
        yield return ("model/a.txt", Text("a"));
        yield return ("model2/b.txt", Text("b"));
        var tar = new TarBuilder().File("model.onnx", "from-archive").File("sub/config.json", "{}");
        yield return ("archives/tgz/model.tgz", tar.ToGzip());
        yield return ("archives/zip/model.zip", Archives.SafeArchiveExtractorTests.Zip(("model.onnx", "from-archive"), ("sub/config.json", "{}")));
        yield return ("hostile/model.zip", Archives.SafeArchiveExtractorTests.Zip(("model.onnx", "x"), ("../../escaped.txt", "pwned")));
    }
}
