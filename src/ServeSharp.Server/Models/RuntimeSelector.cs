using ServeSharp.Abstractions;
using ServeSharp.Server.Hosting;

namespace ServeSharp.Server.Models;

/// <summary>Picks the runtime for a model: by explicit format name, else the first runtime whose <c>CanLoad</c> accepts the directory.</summary>
internal sealed class RuntimeSelector(IEnumerable<IModelRuntime> runtimes)
{
    private readonly IReadOnlyList<IModelRuntime> _runtimes = [.. runtimes];

    public IReadOnlyList<string> Formats => [.. _runtimes.Select(r => r.Format)];

    /// <exception cref="ModelLoadException">No directory, or no runtime for the format / files.</exception>
    public IModelRuntime Select(ModelSource source)
    {
        if (!Directory.Exists(source.Directory))
        {
            throw new ModelLoadException($"Model directory '{source.Directory}' does not exist.");
        }

        if (source.Format is { Length: > 0 } format)
        {
            return _runtimes.FirstOrDefault(r => string.Equals(r.Format, format, StringComparison.OrdinalIgnoreCase))
                ?? throw new ModelLoadException(
                    $"No runtime for model format '{format}'. Available formats: {Describe()}.");
        }

        foreach (var runtime in _runtimes)
        {
            bool canLoad;
            try
            {
                canLoad = runtime.CanLoad(source.Directory);
            }
            catch (Exception)
            {
                // CanLoad must not throw; a runtime that does is simply not a match.
                canLoad = false;
            }

            if (canLoad)
            {
                return runtime;
            }
        }

        throw new ModelLoadException(
            $"No runtime recognises the files in '{source.Directory}'. Available formats: {Describe()}; " +
            "pass --model-format to choose one.");
    }

    private string Describe() => _runtimes.Count == 0 ? "(none registered)" : string.Join(", ", _runtimes.Select(r => r.Format));
}
