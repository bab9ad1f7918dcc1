using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using ServeSharp.Cli.Platform;

namespace ServeSharp.Cli.Commands;

/// <summary><c>servesharp describe TYPE NAME</c>: status conditions (with reasons), URLs, revisions and traffic.</summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var type = new Argument<string>("type") { Description = "isvc, sr, csr, tm or ig." };
        var name = new Argument<string>("name") { Description = "Object name." };
        var ns = PlatformOptions.Namespace();
        var server = PlatformOptions.Server();
        var command = new Command("describe", "Show a resource's status in detail: conditions and their reasons, URLs, revisions and traffic.") { type, name, ns, server };
        command.SetAction((result, cancellationToken) => PlatformAction.RunAsync(async () =>
        {
            var resourceType = PlatformAction.ResolveType(result.GetValue(type)!);
            using var client = new ControlApiClient(PlatformOptions.ResolveServer(result.GetValue(server)));
            var obj = await client.GetAsync(ControlApiClient.Path(resourceType, result.GetValue(ns)!, result.GetValue(name)), cancellationToken);
            Console.Write(Render(obj));
            return 0;
        }));
        return command;
    }

    private static string Render(JsonObject obj)
    {
        var text = new StringBuilder();
        var meta = obj["metadata"];
        var status = obj["status"];
        text.AppendLine($"Name:         {(string?)meta?["name"]}");
        text.AppendLine($"Namespace:    {(string?)meta?["namespace"]}");
        text.AppendLine($"Kind:         {(string?)obj["kind"]} ({(string?)obj["apiVersion"]})");
        text.AppendLine($"Created:      {(string?)meta?["creationTimestamp"]}");
        text.AppendLine($"Generation:   {meta?["generation"]} (observed {status?["observedGeneration"]})");
        text.AppendLine($"URL:          {(string?)status?["url"]}");
        text.AppendLine($"Address:      {(string?)status?["address"]?["url"]}");
        text.AppendLine("Conditions:");
        foreach (var condition in status?["conditions"]?.AsArray() ?? [])
        {
            var line = $"  {(string?)condition?["type"],-24}{(string?)condition?["status"],-8}{(string?)condition?["reason"]}";
            text.AppendLine(line.TrimEnd());
            if ((string?)condition?["message"] is { } message)
            {
                text.AppendLine($"      {message}");
            }
        }

        foreach (var (component, value) in status?["components"]?.AsObject() ?? [])
        {
            text.AppendLine($"{char.ToUpperInvariant(component[0])}{component[1..]}:");
            text.AppendLine($"  Latest created revision:    {(string?)value?["latestCreatedRevision"]}");
            text.AppendLine($"  Latest ready revision:      {(string?)value?["latestReadyRevision"]}");
            text.AppendLine($"  Latest rolled-out revision: {(string?)value?["latestRolledoutRevision"]}");
            text.AppendLine($"  Previous rolled-out:        {(string?)value?["previousRolledoutRevision"]}");
            text.AppendLine("  Traffic:");
            foreach (var target in value?["traffic"]?.AsArray() ?? [])
            {
                var tag = (string?)target?["tag"] is { } t ? $" (tag {t}: {(string?)target?["url"]})" : string.Empty;
                text.AppendLine($"    {target?["percent"],3}%  {(string?)target?["revisionName"]}{(target?["latestRevision"]?.GetValue<bool>() == true ? "  latest" : string.Empty)}{tag}");
            }
        }

        if (status?["modelStatus"]?["lastFailureInfo"] is JsonObject failure)
        {
            text.AppendLine($"Last failure: {(string?)failure["reason"]}: {(string?)failure["message"]}");
        }

        return text.ToString();
    }
}
