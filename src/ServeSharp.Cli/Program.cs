using System.CommandLine;
using ServeSharp.Cli.Commands;

// Each verb lives in Commands/<Verb>Command.cs with a static Create(); add one line here per verb.
var root = new RootCommand("ServeSharp: KServe-compatible model inference in .NET.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
