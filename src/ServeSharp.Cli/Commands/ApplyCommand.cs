using System.CommandLine;
using System.Text.Json.Nodes;
using ServeSharp.Cli.Platform;
using ServeSharp.Control.Serialization;
using ServeSharp.Local.Store;

namespace ServeSharp.Cli.Commands;

/// <summary>
/// <c>servesharp apply -f FILE</c>: creates each resource of a YAML/JSON manifest in the running platform, or replaces it
/// when it exists. Manifest problems are reported kubectl-style and nothing is sent for that document; admission
/// rejections come back from the server with their message.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var file = new Option<string>("--filename", "-f") { Description = "Manifest file (YAML or JSON, multi-document).", Required = true };
        var ns = PlatformOptions.Namespace();
        var server = PlatformOptions.Server();
        var command = new Command("apply", "Create or update resources in the running platform from a manifest.") { file, ns, server };
        command.SetAction((result, cancellationToken) => PlatformAction.RunAsync(async () =>
        {
            var path = result.GetValue(file)!;
            IReadOnlyList<ManifestDocument> documents;
            try
            {
                documents = ManifestReader.ReadFile(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ManifestSyntaxException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }

            using var client = new ControlApiClient(PlatformOptions.ResolveServer(result.GetValue(server)));
            var rc = 0;
            foreach (var document in documents)
            {
                if (document.Problem is not null)
                {
                    await Console.Error.WriteLineAsync(KubectlErrorFormatter.Format(document, path));
                    rc = 1;
                    continue;
                }

                var type = ResourceTypeRegistry.KServe.FindByKind(document.ApiVersion, document.Kind);
                if (type is null)
                {
                    await Console.Error.WriteLineAsync($"error: resource mapping not found for name: \"{document.Name}\" kind: \"{document.Kind}\" in \"{path}\": no matches for kind \"{document.Kind}\" in version \"{document.ApiVersion}\"");
                    rc = 1;
                    continue;
                }

                var ns2 = string.IsNullOrEmpty(document.Namespace) ? result.GetValue(ns)! : document.Namespace;
                var body = document.Raw.DeepClone().AsObject();
                try
                {
                    Console.WriteLine(await ApplyOneAsync(client, type, ns2, document.Name, body, cancellationToken));
                }
                catch (ApiError e)
                {
                    await Console.Error.WriteLineAsync(e.Message);
                    rc = 1;
                }
            }

            return rc;
        }));
        return command;
    }

    private static async Task<string> ApplyOneAsync(ControlApiClient client, ResourceType type, string ns, string name, JsonObject body, CancellationToken cancellationToken)
    {
        var label = $"{type.Kind.ToLowerInvariant()}.{type.Group}/{name}";
        try
        {
            await client.CreateAsync(ControlApiClient.Path(type, ns), body, cancellationToken);
            return $"{label} created";
        }
        catch (ApiError e) when (e.Message.StartsWith("Error from server (AlreadyExists)", StringComparison.Ordinal))
        {
            var current = await client.GetAsync(ControlApiClient.Path(type, ns, name), cancellationToken);
            var before = ObjectMeta.ResourceVersion(current);
            var meta = body["metadata"] as JsonObject ?? new JsonObject();
            body["metadata"] = meta;
            meta["resourceVersion"] = current["metadata"]!["resourceVersion"]!.DeepClone();
            var after = await client.ReplaceAsync(ControlApiClient.Path(type, ns, name), body, cancellationToken);
            return ObjectMeta.ResourceVersion(after) == before ? $"{label} unchanged" : $"{label} configured";
        }
    }
}
