using System.Formats.Tar;
using System.IO.Compression;
using ServeSharp.Storage.Configuration;
using ServeSharp.Storage.Transfer;

namespace ServeSharp.Storage.Archives;

/// <summary>
/// Extracts a tar (optionally gzip-compressed) or zip archive into a directory with the guarantees of Python's
/// <c>tarfile</c> "data" filter and more: no entry may land outside the destination (absolute names, <c>..</c>,
/// symlinks or hard links pointing out, writes through a symlink), device files and FIFOs are refused, setuid bits
/// are dropped, and entry-count, expanded-size and compression-ratio caps stop decompression bombs early.
/// </summary>
internal sealed class SafeArchiveExtractor
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;
    private const string InvalidFormat = "Failed to unpack archive file. The file format is not valid.";
    private readonly ArchiveLimits _limits;

    public SafeArchiveExtractor(ArchiveLimits limits)
    {
        _limits = limits;
    }

    /// <summary>Extracts <paramref name="archivePath"/> into <paramref name="destination"/> (which must exist).</summary>
    public async Task ExtractAsync(string archivePath, string displayName, ArchiveKind kind, string destination, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(destination);
        var budget = new ArchiveBudget(_limits, displayName, new FileInfo(archivePath).Length);
        try
        {
            if (kind == ArchiveKind.Zip)
            {
                await ExtractZipAsync(archivePath, root, budget, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ExtractTarAsync(archivePath, root, budget, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or ArgumentException
            or InvalidOperationException or OverflowException or NotSupportedException or PathTooLongException)
        {
            // System.Formats.Tar also reports a damaged header with InvalidOperationException (a size field larger than
            // the data), OverflowException (a number or time out of range) or NotSupportedException (an unknown format);
            // an entry name longer than the file system allows is refused by it with PathTooLongException.
            throw new StorageException(StorageErrorKind.Archive, $"{InvalidFormat} ({displayName}: {ex.Message})", ex);
        }
    }

    private static async Task ExtractTarAsync(string archivePath, string root, ArchiveBudget budget, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var magic = new byte[2];
        var sniffed = await file.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        file.Position = 0;
        Stream input = sniffed == 2 && magic[0] == 0x1F && magic[1] == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;
        await using var _ = input.ConfigureAwait(false);
        await using var reader = new TarReader(input);
        var links = new HashSet<string>(StringComparer.Ordinal);
        var sawEntry = false;
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            sawEntry = true;
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
            {
                continue;
            }

            budget.AddEntry();
            if (entry.EntryType == TarEntryType.Directory && SafeRelativePath.Normalize(entry.Name) is null && IsRootName(entry.Name))
            {
                continue;
            }

            var target = Resolve(root, entry.Name, entry.EntryType == TarEntryType.Directory, links, budget);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(target);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    budget.AddBytes(entry.Length);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    await WriteAsync(entry.DataStream, target, entry.Length, entry.Name, budget, cancellationToken).ConfigureAwait(false);
                    SetMode(target, entry.Mode);
                    break;
                case TarEntryType.SymbolicLink:
                    CreateSymbolicLink(root, target, entry.Name, entry.LinkName, links, budget);
                    break;
                case TarEntryType.HardLink:
                    CopyHardLink(root, target, entry.Name, entry.LinkName, links, budget);
                    break;
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                    throw budget.Rejected($"entry '{entry.Name}' is a device file or FIFO ({entry.EntryType})");
                default:
                    throw budget.Rejected($"entry '{entry.Name}' has unsupported type {entry.EntryType}");
            }
        }

        if (!sawEntry)
        {
            throw new InvalidDataException("the archive holds no entries");
        }
    }

    private static async Task ExtractZipAsync(string archivePath, string root, ArchiveBudget budget, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        await using var archive = await ZipArchive.CreateAsync(file, ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
        var links = new HashSet<string>(StringComparer.Ordinal);

        // The central directory is read up front, so count and declared-size caps fail before anything is written.
        foreach (var entry in archive.Entries)
        {
            budget.AddEntry();
            budget.AddBytes(entry.Length);
        }

        foreach (var entry in archive.Entries)
        {
            var isDirectory = entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\');
            if (isDirectory && IsRootName(entry.FullName))
            {
                continue;
            }

            var target = Resolve(root, entry.FullName, isDirectory, links, budget);
            if (isDirectory)
            {
                Directory.CreateDirectory(target);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var data = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (data.ConfigureAwait(false))
            {
                await WriteAsync(data, target, entry.Length, entry.FullName, budget, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsRootName(string name) => name.Replace('\\', '/').Trim('/') is "" or ".";

    /// <summary>
    /// The full path <paramref name="name"/> extracts to. Refuses names outside the destination, writes through an
    /// earlier symlink, and entries an earlier one is in the way of: a file where a directory is (or the reverse), or a
    /// path through an earlier file, which the file system would report as an IOException or an access error.
    /// </summary>
    private static string Resolve(string root, string name, bool isDirectory, HashSet<string> links, ArchiveBudget budget)
    {
        var normalized = SafeRelativePath.Normalize(name)
            ?? throw budget.Rejected($"entry '{name}' has an absolute path or a '..' component and would be written outside the destination");
        var target = Path.GetFullPath(Path.Combine(root, normalized));
        if (!SafeRelativePath.IsUnder(root, target) || target == root)
        {
            throw budget.Rejected($"entry '{name}' would be written outside the destination");
        }

        // A symlink extracted earlier must never be written through or replaced: that is how "link then file" escapes work.
        for (var path = target; path.Length > root.Length; path = Path.GetDirectoryName(path)!)
        {
            if (links.Contains(path))
            {
                throw budget.Rejected($"entry '{name}' would be written through the symlink '{Path.GetRelativePath(root, path)}'");
            }

            if (path != target && File.Exists(path))
            {
                throw budget.Rejected($"entry '{name}' lies under '{Path.GetRelativePath(root, path)}', which an earlier entry made a file");
            }
        }

        if (isDirectory ? File.Exists(target) : Directory.Exists(target))
        {
            throw budget.Rejected($"entry '{name}' is a {(isDirectory ? "directory" : "file")} where an earlier entry made a {(isDirectory ? "file" : "directory")}");
        }

        return target;
    }

    private static void CreateSymbolicLink(string root, string target, string name, string linkName, HashSet<string> links, ArchiveBudget budget)
    {
        if (string.IsNullOrEmpty(linkName) || linkName.StartsWith('/') || linkName.Contains('\0', StringComparison.Ordinal)
            || (linkName.Length >= 2 && linkName[1] == ':'))
        {
            throw budget.Rejected($"symlink '{name}' points to the absolute path '{linkName}'");
        }

        // Walk the link target lexically from the link's folder; it must stay inside and never pass through another link.
        var current = Path.GetDirectoryName(target)!;
        foreach (var segment in linkName.Replace('\\', '/').Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            current = segment == ".." ? Path.GetDirectoryName(current) ?? string.Empty : Path.Combine(current, segment);
            if (!SafeRelativePath.IsUnder(root, current))
            {
                throw budget.Rejected($"symlink '{name}' points outside the destination ('{linkName}')");
            }

            if (links.Contains(current))
            {
                throw budget.Rejected($"symlink '{name}' points through another symlink ('{linkName}')");
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (Path.Exists(target))
        {
            throw budget.Rejected($"symlink '{name}' would replace an existing entry");
        }

        File.CreateSymbolicLink(target, linkName);
        links.Add(target);
    }

    private static void CopyHardLink(string root, string target, string name, string linkName, HashSet<string> links, ArchiveBudget budget)
    {
        var normalized = SafeRelativePath.Normalize(linkName)
            ?? throw budget.Rejected($"hard link '{name}' points outside the destination ('{linkName}')");
        var source = Path.GetFullPath(Path.Combine(root, normalized));
        if (!SafeRelativePath.IsUnder(root, source))
        {
            throw budget.Rejected($"hard link '{name}' points outside the destination ('{linkName}')");
        }

        for (var path = source; path.Length > root.Length; path = Path.GetDirectoryName(path)!)
        {
            if (links.Contains(path))
            {
                throw budget.Rejected($"hard link '{name}' points through the symlink '{Path.GetRelativePath(root, path)}'");
            }
        }

        var info = new FileInfo(source);
        if (!info.Exists || info.LinkTarget is not null)
        {
            throw budget.Rejected($"hard link '{name}' points to '{linkName}', which is not a file extracted earlier");
        }

        // A copy, not a link: the extracted tree never shares inodes with anything.
        budget.AddBytes(info.Length);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(source, target, overwrite: true);
    }

    private static async Task WriteAsync(Stream? data, string target, long declared, string name, ArchiveBudget budget, CancellationToken cancellationToken)
    {
        await using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        if (data is null)
        {
            return;
        }

        var buffer = new byte[81920];
        long written = 0;
        int read;
        while ((read = await data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            written += read;
            if (written > declared)
            {
                // The declared size was already counted against the caps; more data than declared is a lie.
                throw budget.Rejected($"entry '{name}' is larger than its declared size of {declared} bytes");
            }

            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Keep rwx bits only (no setuid/setgid/sticky) and make sure the owner can read and write, like the "data" filter.
        File.SetUnixFileMode(path, (mode & PermissionBits) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
