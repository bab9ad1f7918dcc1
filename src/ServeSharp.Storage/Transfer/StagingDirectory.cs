namespace ServeSharp.Storage.Transfer;

/// <summary>
/// A private work folder on the destination's file system. Files are downloaded and extracted there and only
/// moved into the destination once everything succeeded, so a crash or failure never leaves a half model that
/// looks complete. When the destination does not exist yet the whole tree is renamed into place in one step;
/// when it exists (an emptyDir mount point cannot be replaced) each top-level entry is renamed into it.
/// </summary>
internal sealed class StagingDirectory : IDisposable
{
    private readonly string _work;
    private readonly bool _destinationExisted;

    private StagingDirectory(string work, bool destinationExisted)
    {
        _work = work;
        _destinationExisted = destinationExisted;
        Root = Path.Combine(work, "m");
        Directory.CreateDirectory(Root);
    }

    /// <summary>Where the model's files are assembled.</summary>
    public string Root { get; }

    /// <summary>A spare path inside the work folder (e.g. for an archive being extracted).</summary>
    public string Scratch(string name) => Path.Combine(_work, name);

    /// <summary>Creates the work folder for <paramref name="destination"/>.</summary>
    public static StagingDirectory For(string destination)
    {
        var full = Path.GetFullPath(destination);
        var id = Guid.NewGuid().ToString("N")[..12];
        if (Directory.Exists(full))
        {
            return new StagingDirectory(Path.Combine(full, $".servesharp-download-{id}"), destinationExisted: true);
        }

        var parent = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar))
            ?? throw new StorageException(StorageErrorKind.Configuration, $"Destination {destination} has no parent directory.");
        Directory.CreateDirectory(parent);
        return new StagingDirectory(Path.Combine(parent, $".{Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar))}.servesharp-download-{id}"), destinationExisted: false);
    }

    /// <summary>Moves the assembled model into <paramref name="destination"/>.</summary>
    public void PublishTo(string destination)
    {
        var full = Path.GetFullPath(destination);
        if (!_destinationExisted && !Directory.Exists(full))
        {
            Directory.Move(Root, full);
            return;
        }

        Directory.CreateDirectory(full);
        foreach (var entry in new DirectoryInfo(Root).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(full, entry.Name);
            RemoveExisting(target);
            if (entry.LinkTarget is { } linkTarget)
            {
                // Links (local sources) are recreated rather than renamed: rename of a link to a folder is not portable.
                File.CreateSymbolicLink(target, linkTarget);
                entry.Delete();
            }
            else if (entry is DirectoryInfo)
            {
                Directory.Move(entry.FullName, target);
            }
            else
            {
                File.Move(entry.FullName, target);
            }
        }
    }

    private static void RemoveExisting(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists)
        {
            info.Delete();
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Removes the work folder and anything left in it.</summary>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(_work))
            {
                Directory.Delete(_work, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover hidden work folder is harmless and never mistaken for the model.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
