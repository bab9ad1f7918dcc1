using ServeSharp.Abstractions;

namespace ServeSharp.Server.Hosting;

/// <summary>
/// Decides which models to load at start-up from the options: explicit <c>--model</c> specs, the KServe
/// <c>--model_dir</c> (one model, or a repository when no runtime recognises the directory itself), and the
/// subdirectories of the repository root.
/// </summary>
internal static class StartupModelPlan
{
    /// <returns>
    /// The models to load, the repository root, and the <c>--model_dir</c> when no runtime recognised its files and it is
    /// therefore taken as a repository (KServe's fallback after <c>ModelMissingError</c>), else null.
    /// </returns>
    public static (List<ModelSource> Models, string? RepositoryRoot, string? UnrecognisedModelDirectory) Create(
        ModelServerOptions options, IEnumerable<IModelRuntime> runtimes)
    {
        string? unrecognised = null;
        var settings = new Dictionary<string, string>(options.ModelSettings, StringComparer.OrdinalIgnoreCase);
        var models = options.Models.Select(m => m.Settings.Count == 0 && settings.Count > 0 ? m with { Settings = settings } : m).ToList();
        var root = options.ModelRepositoryRoot;
        if (options.ModelDirectory is { } dir)
        {
            if (options.ModelFormat is not null || !Directory.Exists(dir) || runtimes.Any(r => SafeCanLoad(r, dir)))
            {
                models.Add(new ModelSource(options.ModelName, dir, options.ModelFormat) { Settings = settings });
            }
            else
            {
                // No runtime recognises the directory itself: KServe's multi-model layout, {model_dir}/{name}.
                root ??= dir;
                unrecognised = dir;
            }
        }

        if (root is not null && options.LoadRepositoryAtStartup && Directory.Exists(root))
        {
            foreach (var sub in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(sub);
                if (name.StartsWith('.') || !ModelNameRules.IsValid(name) || models.Any(m => m.Name == name))
                {
                    continue;
                }

                models.Add(new ModelSource(name, sub) { Settings = settings });
            }
        }

        return (models, root, unrecognised);
    }

    private static bool SafeCanLoad(IModelRuntime runtime, string dir)
    {
        try
        {
            return runtime.CanLoad(dir);
        }
        catch (Exception)
        {
            return false;
        }
    }
}
