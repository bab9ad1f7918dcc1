namespace ServeSharp.Storage.Transfer;

/// <summary>
/// Turns an untrusted relative path (object key remainder, archive entry name) into a path under a root, rejecting
/// anything that could land outside it: absolute paths, drive letters, <c>..</c> segments, NUL bytes.
/// </summary>
internal static class SafeRelativePath
{
    /// <summary>The normalized '/'-separated form, or null when the path is unsafe; <c>.</c> segments and empty segments are dropped.</summary>
    public static string? Normalize(string relative)
    {
        if (string.IsNullOrEmpty(relative) || relative.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var unified = relative.Replace('\\', '/');
        if (unified.StartsWith('/') || (unified.Length >= 2 && unified[1] == ':' && char.IsAsciiLetter(unified[0])))
        {
            return null;
        }

        var segments = new List<string>();
        foreach (var segment in unified.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                return null;
            }

            segments.Add(segment);
        }

        return segments.Count == 0 ? null : string.Join('/', segments);
    }

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>, or throws when it escapes.</summary>
    public static string Combine(string root, string relative, Func<string, Exception> onUnsafe)
    {
        var normalized = Normalize(relative) ?? throw onUnsafe(relative);
        var rootFull = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(rootFull, normalized));
        if (!IsUnder(rootFull, full))
        {
            throw onUnsafe(relative);
        }

        return full;
    }

    /// <summary>True when <paramref name="path"/> equals or lies under <paramref name="root"/> (both full paths).</summary>
    public static bool IsUnder(string root, string path)
    {
        var rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return string.Equals(path, root, StringComparison.Ordinal) || path.StartsWith(rootWithSeparator, StringComparison.Ordinal);
    }
}
