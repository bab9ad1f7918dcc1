using System.CommandLine;

namespace ServeSharp.Cli.Platform;

/// <summary>Options shared by the verbs that talk to a running <c>servesharp up</c>.</summary>
internal static class PlatformOptions
{
    /// <summary>Where the daemon's control API is: <c>--server</c>, else <c>SERVESHARP_SERVER</c>, else http://127.0.0.1:7070.</summary>
    public static Option<string?> Server() => new("--server")
    {
        Description = "Control API of `servesharp up` (default: $SERVESHARP_SERVER or http://127.0.0.1:7070).",
    };

    /// <summary><c>-n/--namespace</c>, default <c>default</c>.</summary>
    public static Option<string> Namespace() => new("--namespace", "-n")
    {
        Description = "Namespace.",
        DefaultValueFactory = _ => "default",
    };

    /// <summary>The data directory <c>servesharp up</c> uses (default ~/.servesharp).</summary>
    public static Option<string?> DataDir() => new("--data-dir")
    {
        Description = "Data directory (store, models, logs). Default: ~/.servesharp.",
    };

    /// <summary>Resolves the server address.</summary>
    public static Uri ResolveServer(string? value)
    {
        var text = value ?? Environment.GetEnvironmentVariable("SERVESHARP_SERVER") ?? "http://127.0.0.1:7070";
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https")
            ? uri
            : throw new ArgumentException($"--server / SERVESHARP_SERVER must be an http(s) URL (got \"{text}\").");
    }

    /// <summary>Resolves the data directory.</summary>
    public static string ResolveDataDir(string? value) =>
        Path.GetFullPath(value ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".servesharp"));
}
