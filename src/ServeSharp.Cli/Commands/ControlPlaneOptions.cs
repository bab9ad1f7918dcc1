using System.CommandLine;
using ServeSharp.Control.Configuration;
using ServeSharp.Control.Runtimes;

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
}
