using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Tests.Configuration;

public sealed class SecretRedactorTests
{
    [Fact]
    public void KnownSecrets_HeaderValues_ConnectionStringKeys_AndUriQueries_AreMasked()
    {
        var redactor = SecretRedactor.For(StorageEnvironment.From(new Dictionary<string, string>
        {
            ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG",
            ["HF_TOKEN"] = "hf_abcdefghijkl",
            ["example.com-headers"] = "{\"Authorization\": \"Bearer xyz-123-token\"}",
            ["AZURE_STORAGE_CONNECTION_STRING"] = "AccountName=acc;AccountKey=c2VjcmV0LWtleQ==;BlobEndpoint=http://x",
        }));

        var text = redactor.Redact(
            "key wJalrXUtnFEMI/K7MDENG token hf_abcdefghijkl auth Bearer xyz-123-token "
            + "conn AccountKey=c2VjcmV0LWtleQ== url https://user:pw@host/path/file.bin?sig=abc&se=1 end");

        Assert.Equal("key *** token *** auth *** conn AccountKey=*** url https://***@host/path/file.bin?*** end", text);
    }
}
