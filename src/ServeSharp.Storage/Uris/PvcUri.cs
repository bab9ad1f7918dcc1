using ServeSharp.Storage.Configuration;

namespace ServeSharp.Storage.Uris;

/// <summary>Resolves <c>pvc://claim[/path]</c> to a local path through <see cref="StorageOptions.PvcClaims"/>.</summary>
public static class PvcUri
{
    /// <summary>The local path, or throws when the claim is not mapped or the path escapes the claim's folder.</summary>
    public static string Resolve(string uri, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(options);
        var rest = uri["pvc://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var claim = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[(slash + 1)..].Trim('/');
        if (claim.Length == 0)
        {
            throw new StorageException(StorageErrorKind.InvalidUri, $"No claim name in {uri}");
        }

        if (!options.PvcClaims.TryGetValue(claim, out var root))
        {
            throw new StorageException(
                StorageErrorKind.Configuration,
                $"PVC claim '{claim}' is not mapped to a local directory; map it with --pvc {claim}=<dir> (StorageOptions.PvcClaims).");
        }

        if (path.Length == 0)
        {
            return Path.GetFullPath(root);
        }

        return Transfer.SafeRelativePath.Combine(root, path, _ => new StorageException(StorageErrorKind.InvalidUri, $"Path of {uri} leaves the claim's directory."));
    }
}
