using System.CommandLine;
using ServeSharp.Serving;

// `servesharp-serve ARGS` runs exactly `servesharp serve ARGS` (the same verb, options and behaviour); a leading
// `serve` is accepted too, so it can stand in wherever `servesharp serve` is the command. `--version` alone prints the
// version (and shows that this build runs on this machine's CPU; `servesharp up` checks that before using it).
var root = new RootCommand("ServeSharp model server (natively compiled `servesharp serve`).");
root.Subcommands.Add(ServeCommand.Create());
string[] serveArgs = args is ["serve", ..] or ["--version"] ? args : ["serve", .. args];
return await root.Parse(serveArgs).InvokeAsync();
