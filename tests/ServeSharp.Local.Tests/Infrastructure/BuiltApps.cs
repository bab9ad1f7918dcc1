namespace ServeSharp.Local.Tests.Infrastructure;

/// <summary>Finds apps the test build builds alongside (not referenced): the test replica, the test transformer, the servesharp CLI.</summary>
public static class BuiltApps
{
    /// <summary><c>servesharp.dll</c>, run as <c>dotnet servesharp.dll …</c>.</summary>
    public static string Servesharp { get; } = Locate("src/ServeSharp.Cli", "servesharp.dll");

    /// <summary>The test transformer.</summary>
    public static string TestTransformer { get; } = Locate("tests/ServeSharp.Local.TestTransformer", "ServeSharp.Local.TestTransformer.dll");

    /// <summary>The repository root.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The output of <paramref name="project"/> (relative to the repository root) for this test run's configuration.</summary>
    public static string Locate(string project, string dll)
    {
        // tests/ServeSharp.Local.Tests/bin/<Config>/net10.0/ → <project>/bin/<Config>/net10.0/<dll>
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(FindRoot(), project, "bin", baseDir.Parent!.Name, baseDir.Name, dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} not built at {path}");
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ServeSharp.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("ServeSharp.slnx not found above the test output.");
    }
}
