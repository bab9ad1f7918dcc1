namespace ServeSharp.Server.Hosting;

/// <summary>What a model name may be: non-empty, no path separators, no <c>..</c>, no <c>:</c> (it ends V1 paths).</summary>
public static class ModelNameRules
{
    /// <summary>True when <paramref name="name"/> is usable as a model name and as a directory name under the repository root.</summary>
    public static bool IsValid(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name != "." && name != ".." &&
        name.IndexOfAny(['/', '\\', ':', '\0']) < 0;

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="name"/> is not valid.</summary>
    public static void Check(string? name)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid model name: it must be non-empty and contain no '/', '\\', ':' and not be '.' or '..'.");
        }
    }
}
