namespace ServeSharp.Cli.Commands;

/// <summary>Reads a manifest file, or <c>-</c> for standard input, reporting a missing file as kubectl does.</summary>
internal static class ManifestInput
{
    public static bool TryRead(FileInfo file, TextWriter error, out string text)
    {
        text = "";
        try
        {
            text = file.ToString() == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file.FullName);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: the path \"{file}\" does not exist");
            return false;
        }
    }
}
