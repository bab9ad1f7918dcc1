using Microsoft.Extensions.DependencyInjection;
using ServeSharp.Abstractions;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Models;

namespace ServeSharp.Cli.Serving;

/// <summary>
/// The line `servesharp serve` prints when no runtime recognises the files in <c>--model_dir</c>. KServe's servers then
/// log <c>failed to locate model file for model {name} under dir {dir},trying loading from model repository.</c> and
/// start with the directory's subdirectories as models (none, often); this says the same and what was looked at.
/// </summary>
internal static class UnrecognisedModelDirectory
{
    private const int MaxFilesListed = 8;

    public static string Describe(ModelServer server, string modelName, string directory, IReadOnlyList<ModelEntry> entries)
    {
        var formats = string.Join(", ", server.Services.GetServices<IModelRuntime>().Select(r => r.Format));
        var loaded = entries.Count == 0
            ? "it has no model subdirectories either, so no model is loaded"
            : $"its subdirectories are served as models: {string.Join(", ", entries.Select(e => e.Name))}";
        return $"servesharp serve: failed to locate model file for model {modelName} under dir {directory}, trying loading from "
            + $"model repository: no runtime recognises its files ({Files(directory)}; formats: {formats}), and {loaded}. "
            + "Put the model file in that directory, or pass --model_format to have that runtime say what it expects.";
    }

    private static string Files(string directory)
    {
        try
        {
            var names = Directory.EnumerateFileSystemEntries(directory)
                .Select(p => Directory.Exists(p) ? Path.GetFileName(p) + "/" : Path.GetFileName(p))
                .Order(StringComparer.Ordinal)
                .ToArray();
            return names.Length switch
            {
                0 => "it is empty",
                <= MaxFilesListed => "it holds " + string.Join(", ", names),
                _ => $"it holds {string.Join(", ", names.Take(MaxFilesListed))} and {names.Length - MaxFilesListed} more",
            };
        }
        catch (IOException e)
        {
            return "it cannot be listed: " + e.Message;
        }
        catch (UnauthorizedAccessException e)
        {
            return "it cannot be listed: " + e.Message;
        }
    }
}
