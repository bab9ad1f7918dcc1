using System.Text.Json.Nodes;
using ServeSharp.Control.Serialization;
using ServeSharp.Local.Store;

namespace ServeSharp.Cli.Platform;

/// <summary>
/// For <c>servesharp up --apply</c>: prints one line per applied InferenceService once its <c>Ready</c> condition is
/// <c>True</c> (with the URL and the path form for users without DNS), or once it reports why it is not ready.
/// </summary>
internal static class ReadyAnnouncer
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The InferenceServices named in a manifest text (namespace defaults to <c>default</c>).</summary>
    public static IReadOnlyList<(string Namespace, string Name)> InferenceServices(string text, string source)
    {
        try
        {
            return ManifestReader.Read(text, source)
                .Where(d => d.Problem is null && d.Kind == "InferenceService")
                .Select(d => (string.IsNullOrEmpty(d.Namespace) ? "default" : d.Namespace, d.Name))
                .ToList();
        }
        catch (ManifestSyntaxException)
        {
            return [];
        }
    }

    public static async Task RunAsync(
        Uri api, IReadOnlyList<(string Namespace, string Name)> services, int ingressPort, TextWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        var type = ResourceTypeRegistry.KServe.FindByKind("serving.kserve.io/v1beta1", "InferenceService")!;
        using var client = new ControlApiClient(api);
        var pending = services.ToList();
        var lastReason = new Dictionary<(string, string), string>();
        while (pending.Count > 0)
        {
            foreach (var service in pending.ToArray())
            {
                JsonObject resource;
                try
                {
                    resource = await client.GetAsync(ControlApiClient.Path(type, service.Namespace, service.Name), cancellationToken);
                }
                catch (ApiError)
                {
                    continue;
                }

                var ready = Condition(resource, "Ready");
                if (ready?["status"]?.GetValue<string>() == "True")
                {
                    var url = resource["status"]?["url"]?.GetValue<string>();
                    await output.WriteLineAsync(
                        $"inferenceservice/{service.Name} is ready: {url} (without DNS: http://localhost:{ingressPort}/serving/{service.Namespace}/{service.Name})");
                    pending.Remove(service);
                    continue;
                }

                var reason = ready?["message"]?.GetValue<string>() ?? ready?["reason"]?.GetValue<string>();
                if (!string.IsNullOrEmpty(reason) && (!lastReason.TryGetValue(service, out var previous) || previous != reason))
                {
                    lastReason[service] = reason;
                    await output.WriteLineAsync($"inferenceservice/{service.Name} is not ready yet: {reason}");
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(PollInterval, time, cancellationToken);
            }
        }
    }

    private static JsonNode? Condition(JsonObject resource, string type) =>
        (resource["status"]?["conditions"] as JsonArray)?.FirstOrDefault(c => c?["type"]?.GetValue<string>() == type);
}
