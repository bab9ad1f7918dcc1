namespace ServeSharp.Storage.Sources;

/// <summary>
/// One object to fetch: where it lives in the store (<paramref name="SourceKey"/>), where it goes under the model
/// directory (<paramref name="RelativePath"/>, '/'-separated) and what the store says about it for integrity checks.
/// </summary>
/// <param name="SourceKey">Store-specific key (object key, blob name, URL path).</param>
/// <param name="RelativePath">Destination path relative to the model root.</param>
/// <param name="Size">Size announced by the listing, if any.</param>
/// <param name="Version">ETag, generation or commit identifying this content (cache key), if any.</param>
/// <param name="Md5">Expected MD5 of the content, if the store gives one.</param>
/// <param name="Sha256">Expected SHA-256 of the content, if the store gives one.</param>
public sealed record RemoteFile(string SourceKey, string RelativePath, long? Size, string? Version, byte[]? Md5 = null, byte[]? Sha256 = null);
