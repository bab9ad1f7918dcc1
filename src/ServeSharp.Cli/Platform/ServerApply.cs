using System.Text.Json.Nodes;
using ServeSharp.Control.Serialization;
using ServeSharp.Local.Store;

namespace ServeSharp.Cli.Platform;

/// <summary>
/// <c>apply</c> against a running <c>servesharp up</c>: each manifest document is created, or replaced when it exists
/// (printed as kubectl does: created / configured / unchanged). Manifest problems are reported and that document is
/// skipped; the daemon's admission rejections come back with their message. Exit code 1 when anything failed.
/// </summary>
internal static class ServerApply
{
    public static async Task<int> RunAsync(string text, string source, string? server, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        IReadOnlyList<ManifestDocument> documents;
        try
        {
            documents = ManifestReader.Read(text, source);
        }
        catch (ManifestSyntaxException e)
        {
            await error.WriteLineAsync($"error: {e.Message.Replace("error: ", "", StringComparison.Ordinal)}");
            return 1;
        }

        if (documents.Count == 0)
        {
            await error.WriteLineAsync("error: no objects passed to apply");
            return 1;
        }

        Uri url;
        try
        {
            url = PlatformOptions.ResolveServer(server);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }

        using var client = new ControlApiClient(url);
        var rc = 0;
        foreach (var document in documents)
        {
            if (document.Problem is not null)
            {
                await error.WriteLineAsync(KubectlErrorFormatter.Format(document, source));
                rc = 1;
                continue;
            }

            var type = ResourceTypeRegistry.KServe.FindByKind(document.ApiVersion, document.Kind);
            if (type is null)
            {
                await error.WriteLineAsync($"error: resource mapping not found for name: \"{document.Name}\" namespace: \"{document.Namespace}\" from \"{source}\": no matches for kind \"{document.Kind}\" in version \"{document.ApiVersion}\"");
                rc = 1;
                continue;
            }

            var ns = string.IsNullOrEmpty(document.Namespace) ? "default" : document.Namespace;
            try
            {
                await output.WriteLineAsync(await ApplyOneAsync(client, type, ns, document.Name, document.Raw.DeepClone().AsObject(), cancellationToken));
            }
            catch (ApiError e)
            {
                await error.WriteLineAsync(e.Message);
                rc = 1;
                if (e.Message.StartsWith("cannot reach", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }

        return rc;
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
