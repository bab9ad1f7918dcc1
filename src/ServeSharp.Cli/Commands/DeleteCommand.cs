using System.CommandLine;
using ServeSharp.Cli.Platform;

namespace ServeSharp.Cli.Commands;

/// <summary><c>servesharp delete TYPE NAME</c>: removes the resource; its processes stop and its routes go away.</summary>
internal static class DeleteCommand
{
    public static Command Create()
    {
        var type = new Argument<string>("type") { Description = "isvc, sr, csr, tm or ig." };
        var name = new Argument<string>("name") { Description = "Object name." };
        var ns = PlatformOptions.Namespace();
        var server = PlatformOptions.Server();
        var command = new Command("delete", "Delete a resource from the running platform.") { type, name, ns, server };
        command.SetAction((result, cancellationToken) => PlatformAction.RunAsync(async () =>
        {
            var resourceType = PlatformAction.ResolveType(result.GetValue(type)!);
            using var client = new ControlApiClient(PlatformOptions.ResolveServer(result.GetValue(server)));
            await client.DeleteAsync(ControlApiClient.Path(resourceType, result.GetValue(ns)!, result.GetValue(name)), cancellationToken);
            Console.WriteLine($"{resourceType.Kind.ToLowerInvariant()}.{resourceType.Group} \"{result.GetValue(name)}\" deleted");
            return 0;
        }));
        return command;
    }
}
