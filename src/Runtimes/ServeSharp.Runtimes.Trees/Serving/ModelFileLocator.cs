using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Trees.Serving;

/// <summary>
/// Finds the one model file in a model directory the way KServe's xgbserver/lgbserver do: regular files directly in
/// the directory whose name ends with one of the extensions; none or more than one is an error with KServe's wording.
/// </summary>
internal static class ModelFileLocator
{
    /// <summary>
    /// Files in <paramref name="directory"/> ending with one of <paramref name="extensions"/> (and passing
    /// <paramref name="accept"/>, when given), sorted; empty when the directory is missing.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string directory, IReadOnlyList<string> extensions, Func<string, bool>? accept = null)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory)
            .Where(path => extensions.Any(ext => path.EndsWith(ext, StringComparison.Ordinal)) && (accept is null || accept(path)))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Format detection: the directory holds at least one candidate file and the first <paramref name="headLength"/>
    /// bytes of every one pass <paramref name="looksRight"/>. Never throws.
    /// </summary>
    public static bool AllCandidatesLookLike(
        string directory, IReadOnlyList<string> extensions, int headLength, Func<byte[], bool> looksRight, Func<string, bool>? accept = null)
    {
        try
        {
            var files = Candidates(directory, extensions, accept);
            return files.Count > 0 && files.All(f => looksRight(Head(f, headLength)));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The single model file; <paramref name="description"/> says what one looks like (default: its endings).</summary>
    /// <exception cref="ModelLoadException">None or more than one file matches.</exception>
    public static string Locate(
        string directory, IReadOnlyList<string> extensions, Func<string, bool>? accept = null, string? description = null)
    {
        var files = Candidates(directory, extensions, accept);
        if (files.Count == 0)
        {
            // KServe raises ModelMissingError(model_path), whose message is the directory.
            throw new ModelLoadException(
                $"ModelMissingError: {directory} (no model file {description ?? "ending in " + string.Join(", ", extensions)} found in the model directory)");
        }

        if (files.Count > 1)
        {
            throw new ModelLoadException(
                "More than one model file is detected, Only one is allowed within model_dir: "
                + "[" + string.Join(", ", files.Select(f => "'" + f + "'")) + "]");
        }

        return files[0];
    }

    /// <summary>Reads the file, refusing sizes a byte array cannot hold.</summary>
    /// <exception cref="ModelLoadException">The file cannot be read.</exception>
    public static async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var length = new FileInfo(path).Length;
            if (length > Array.MaxLength)
            {
                throw new ModelLoadException($"Model file {path} is {length} bytes, more than can be loaded.");
            }

            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ModelLoadException($"Model file {path} cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ModelLoadException($"Model file {path} cannot be read: {e.Message}", e);
        }
    }

    /// <summary>The first bytes of a file, or empty when it cannot be read. Never throws.</summary>
    public static byte[] Head(string path, int count)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[count];
            var read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
            return buffer[..read];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
