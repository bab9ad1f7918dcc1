namespace ServeSharp.Storage.Tests.Fixtures;

/// <summary>The checkout's root (where ServeSharp.slnx lives).</summary>
public static class RepositoryRoot
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

        throw new InvalidOperationException("ServeSharp.slnx not found above " + AppContext.BaseDirectory);
    }
}
