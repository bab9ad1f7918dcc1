namespace ServeSharp.Bench.Trees;

/// <summary>The repository root: the nearest folder above the running program holding ServeSharp.slnx.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServeSharp.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ServeSharp.slnx above {AppContext.BaseDirectory}; run the bench from the repository.");
    }
}
