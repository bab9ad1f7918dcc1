using System.CommandLine;
using ServeSharp.Control.Configuration;
using ServeSharp.Control.Pipeline;
using ServeSharp.Control.Runtimes;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Cli.Commands;

/// <summary>Options shared by the control-plane verbs (validate, apply): configuration and runtime sources.</summary>
internal sealed class ControlPlaneOptions
{
    public Option<FileInfo> File { get; } = new("--filename", "-f")
    {
        Description = "Manifest file (YAML or JSON, several documents allowed)",
        Required = true,
    };

    public Option<FileInfo?> Config { get; } = new("--config")
    {
        Description = "inferenceservice-config ConfigMap YAML overriding the shipped defaults (see deploy/config)",
    };

    public Option<DirectoryInfo?> Runtimes { get; } = new("--runtimes")
    {
        Description = "Folder of ClusterServingRuntime YAML files used instead of the built-in runtimes",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(File);
        command.Options.Add(Config);
        command.Options.Add(Runtimes);
    }

    /// <summary>Loads the configuration and runtime catalog; a bad file becomes a clear message.</summary>
    public (InferenceServiceConfig Config, RuntimeCatalog Runtimes) Load(ParseResult parse)
    {
        var configFile = parse.GetValue(Config);
        var config = configFile is null ? InferenceServiceConfig.Default : InferenceServiceConfigLoader.LoadFile(configFile.FullName);
        var folder = parse.GetValue(Runtimes);
        if (folder is null)
        {
            return (config, BuiltInRuntimes.DefaultCatalog());
        }
        if (!folder.Exists)
        {
            throw new InvalidConfigurationException($"runtime folder {folder.FullName} does not exist");
        }
        try
        {
            return (config, new RuntimeCatalog(BuiltInRuntimes.LoadFolder(folder.FullName)));
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidConfigurationException(e.Message, e);
        }
    }

    /// <summary>
    /// Admits <paramref name="text"/> locally (what a server would do, without one); false when the manifest or the
    /// configuration cannot be read, after saying why on <paramref name="error"/>.
    /// </summary>
    public bool TryDryRun(ParseResult parse, string text, string file, TextWriter error, out IReadOnlyList<AdmissionOutcome> outcomes)
    {
        try
        {
            var (config, runtimes) = Load(parse);
            outcomes = new ManifestDryRun(config, runtimes).Run(text, file);
            return true;
        }
        catch (Exception e) when (e is ManifestSyntaxException or InvalidConfigurationException)
        {
            error.WriteLine($"error: {e.Message.Replace("error: ", "", StringComparison.Ordinal)}");
            outcomes = [];
            return false;
        }
    }
}
