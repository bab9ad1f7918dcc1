using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Sources.Azure;

/// <summary>
/// The parts of <c>https://&lt;account&gt;.blob.core.windows.net/&lt;container&gt;/&lt;prefix&gt;[?sas]</c>
/// (KServe's <c>_parse_azure_uri</c>: the prefix is stripped of slashes).
/// </summary>
internal sealed record AzureBlobLocation(string Host, string Account, string Container, string Prefix, string? Sas)
{
    public static AzureBlobLocation Parse(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            throw new StorageException(StorageErrorKind.InvalidUri, $"Invalid Azure Blob URI: {SecretRedactor.RedactUri(uri)}");
        }

        var path = Uri.UnescapeDataString(parsed.AbsolutePath).TrimStart('/');
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? path : path[..slash];
        var prefix = slash < 0 ? string.Empty : path[(slash + 1)..].Trim('/');
        if (container.Length == 0)
        {
            throw new StorageException(StorageErrorKind.InvalidUri, $"No container name in {SecretRedactor.RedactUri(uri)}");
        }

        var sas = parsed.Query.Length > 1 ? parsed.Query[1..] : null;
        return new AzureBlobLocation(parsed.Authority, parsed.Host.Split('.')[0], container, prefix, sas);
    }
}
