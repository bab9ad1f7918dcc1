using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServeSharp.Cli.Platform;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Cli.Commands;

/// <summary><c>servesharp get TYPE [NAME] [-o json|yaml|wide]</c>, like kubectl get.</summary>
internal static class GetCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var type = new Argument<string>("type") { Description = "isvc, sr, csr, tm or ig." };
        var name = new Argument<string?>("name") { Description = "Object name (all when omitted).", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--output", "-o") { Description = "json, yaml or wide (default: table)." };
        output.AcceptOnlyFromAmong("json", "yaml", "wide");
        var allNamespaces = new Option<bool>("--all-namespaces", "-A") { Description = "List across all namespaces." };
        var ns = PlatformOptions.Namespace();
        var server = PlatformOptions.Server();
        var command = new Command("get", "Show resources of the running platform.") { type, name, output, allNamespaces, ns, server };
        command.SetAction((result, cancellationToken) => PlatformAction.RunAsync(async () =>
        {
            var resourceType = PlatformAction.ResolveType(result.GetValue(type)!);
            using var client = new ControlApiClient(PlatformOptions.ResolveServer(result.GetValue(server)));
            var objectName = result.GetValue(name);
            var all = result.GetValue(allNamespaces) && objectName is null;
            var path = all && resourceType.Namespaced
                ? $"/apis/{resourceType.Group}/{resourceType.Version}/{resourceType.Plural}"
                : ControlApiClient.Path(resourceType, result.GetValue(ns)!, objectName);
            var body = await client.GetAsync(path, cancellationToken);
            var format = result.GetValue(output);
            if (format == "json")
            {
                Console.WriteLine(body.ToJsonString(Indented));
                return 0;
            }

            if (format == "yaml")
            {
                Console.Write(JsonToYamlWriter.Write(body));
                return 0;
            }

            var items = objectName is null ? body["items"]!.AsArray().Select(i => i!.AsObject()).ToList() : [body];
            if (items.Count == 0)
            {
                await Console.Error.WriteLineAsync(all ? "No resources found" : $"No resources found in {result.GetValue(ns)} namespace.");
                return 0;
            }

            Console.Write(ResourceTable.Render(resourceType, items, all, DateTimeOffset.UtcNow));
            return 0;
        }));
        return command;
    }
}
