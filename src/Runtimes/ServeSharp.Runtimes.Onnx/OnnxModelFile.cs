using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>Finds the ONNX file to serve in a model directory.</summary>
internal static class OnnxModelFile
{
    /// <summary>The file name that wins when a directory holds several <c>.onnx</c> files (KServe's convention).</summary>
    public const string DefaultFileName = "model.onnx";

    /// <summary>True when <paramref name="directory"/> holds at least one top-level <c>*.onnx</c> file. Never throws.</summary>
    public static bool Exists(string directory)
    {
        try
        {
            return Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*.onnx", Options).Any();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// The file to load: <c>model.onnx</c> if present, else the only <c>*.onnx</c> file.
    /// </summary>
    /// <exception cref="ModelLoadException">The directory is missing, has no ONNX file, or several without model.onnx.</exception>
    public static string Locate(string directory)
    {
        string[] candidates;
        try
        {
            if (!Directory.Exists(directory))
            {
                throw new ModelLoadException($"Model directory '{directory}' does not exist.");
            }

            candidates = Directory.GetFiles(directory, "*.onnx", Options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ModelLoadException($"Cannot read model directory '{directory}': {ex.Message}", ex);
        }

        var preferred = Path.Combine(directory, DefaultFileName);
        if (File.Exists(preferred))
        {
            return preferred;
        }

        return candidates.Length switch
        {
            1 => candidates[0],
            0 => throw new ModelLoadException($"No .onnx file found in model directory '{directory}'."),
            _ => throw new ModelLoadException(
                $"Model directory '{directory}' holds {candidates.Length} .onnx files " +
                $"({string.Join(", ", candidates.Select(Path.GetFileName).Order(StringComparer.Ordinal))}); " +
                $"rename the one to serve to '{DefaultFileName}' or keep only one."),
        };
    }

    // Top level only, like KServe's runtimes; case-insensitive so MODEL.ONNX from Windows exports is found too.
    private static readonly EnumerationOptions Options = new()
    {
        MatchCasing = MatchCasing.CaseInsensitive,
        RecurseSubdirectories = false,
        IgnoreInaccessible = true,
    };
}
