using System.Diagnostics;

namespace ServeSharp.Cli.Tests.Infrastructure;

/// <summary>Runs the built <c>servesharp</c> binary (<c>dotnet servesharp.dll ...</c>) as a real process.</summary>
public static class CliProcess
{
    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "servesharp.dll");

    /// <summary>The repository root (holds ServeSharp.slnx), for the bundled examples.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("SERVESHARP_SERVER");
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    /// <summary>Runs a verb to completion and returns its exit code and output.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        using var process = Process.Start(StartInfo(args, env))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, (await stdout).Replace("\r", string.Empty, StringComparison.Ordinal), (await stderr).Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServeSharp.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("ServeSharp.slnx not found above " + AppContext.BaseDirectory);
    }
}
