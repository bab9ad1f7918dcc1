namespace ServeSharp.Storage.Archives;

/// <summary>The archive formats KServe unpacks when a download yields exactly one file.</summary>
public enum ArchiveKind
{
    /// <summary>Not an archive.</summary>
    None,

    /// <summary><c>.tar</c>, <c>.tar.gz</c>, <c>.tgz</c> (Python's mimetype <c>application/x-tar</c>).</summary>
    Tar,

    /// <summary><c>.zip</c> (<c>application/zip</c>).</summary>
    Zip,
}

/// <summary>Maps file names to <see cref="ArchiveKind"/> the way Python's <c>mimetypes.guess_type</c> does for these suffixes.</summary>
public static class ArchiveKinds
{
    /// <summary>The kind implied by the name's suffix (case-insensitive, like <c>mimetypes</c>' fallback).</summary>
    public static ArchiveKind FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return ArchiveKind.Zip;
        }

        return name.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase)
            ? ArchiveKind.Tar
            : ArchiveKind.None;
    }

    /// <summary>True for names whose suffix implies gzip encoding (<c>.tar.gz</c>, <c>.tgz</c>).</summary>
    public static bool IsGzip(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);
    }
}
