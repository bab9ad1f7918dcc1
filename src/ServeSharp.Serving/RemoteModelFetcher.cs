using System.Text.RegularExpressions;
using ServeSharp.Server.Hosting;
using ServeSharp.Storage;
using ServeSharp.Storage.Cache;
using ServeSharp.Storage.Configuration;

namespace ServeSharp.Serving;

/// <summary>
/// Lets <c>servesharp serve</c> take storage URIs where KServe's model servers take local folders: a remote
/// <c>--model-dir</c> / <c>--model NAME=URI</c> is fetched through the model cache, and <c>--storage-uri</c> is
/// fetched into <c>--model-dir</c> (storage-initializer style) or, without one, through the cache. Credentials
/// come from the same environment variables as the storage initializer.
/// </summary>
internal static partial class RemoteModelFetcher
{
    /// <summary>Rewrites remote sources in <paramref name="options"/> to local folders, downloading them first.</summary>
    public static async Task ResolveAsync(ModelServerOptions options, string? storageUri, string cacheDirectory, CancellationToken cancellationToken)
    {
        options.ModelDirectory = WithoutFileScheme(options.ModelDirectory);
        for (var i = 0; i < options.Models.Count; i++)
        {
            options.Models[i] = options.Models[i] with { Directory = WithoutFileScheme(options.Models[i].Directory)! };
        }

        var needsDownload = storageUri is not null
            || IsRemote(options.ModelDirectory)
            || options.Models.Any(m => IsRemote(m.Directory));
        if (!needsDownload)
        {
            return;
        }

        using var downloader = new ModelDownloader(new StorageOptions(), StorageEnvironment.FromProcess());
        var cache = new ModelCache(new ModelCacheOptions { Root = cacheDirectory }, downloader);
        if (storageUri is not null)
        {
            if (options.ModelDirectory is null)
            {
                options.ModelDirectory = await cache.GetAsync(storageUri, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await downloader.DownloadAsync(storageUri, options.ModelDirectory, cancellationToken).ConfigureAwait(false);
            }
        }

        if (IsRemote(options.ModelDirectory))
        {
            options.ModelDirectory = await cache.GetAsync(options.ModelDirectory!, cancellationToken).ConfigureAwait(false);
        }

        for (var i = 0; i < options.Models.Count; i++)
        {
            if (IsRemote(options.Models[i].Directory))
            {
                options.Models[i] = options.Models[i] with
                {
                    Directory = await cache.GetAsync(options.Models[i].Directory, cancellationToken).ConfigureAwait(false),
                };
            }
        }
    }

    private static string? WithoutFileScheme(string? source) =>
        source is not null && source.StartsWith("file://", StringComparison.Ordinal) ? source["file://".Length..] : source;

    /// <summary>True for <c>scheme://…</c> sources other than <c>file://</c> (plain paths stay the server's business).</summary>
    internal static bool IsRemote(string? source) =>
        source is not null && SchemePattern().IsMatch(source) && !source.StartsWith("file://", StringComparison.Ordinal);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*://")]
    private static partial Regex SchemePattern();
}
