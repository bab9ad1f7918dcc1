using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ServeSharp.Local.Store;

namespace ServeSharp.Local.Reconciling;

/// <summary>
/// The kinds <c>servesharp up</c> stores and lists but does not run: TrainedModel (multi-model serving) and
/// InferenceGraph (no graph router). Each such resource gets a <c>Ready</c> condition of <c>False</c> with reason
/// <see cref="Reason"/> and a message saying what to do instead, so that <c>get</c> and <c>describe</c> say so rather
/// than showing a resource that looks as if it were still starting.
/// </summary>
internal sealed class NotServedResourceStatus(IResourceStore store, TimeProvider time, ILogger logger)
{
    /// <summary>The condition's reason.</summary>
    public const string Reason = "NotSupportedLocally";

    private static readonly ResourceType TrainedModelType = ResourceTypeRegistry.KServe.FindByName("trainedmodels")!;
    private static readonly ResourceType InferenceGraphType = ResourceTypeRegistry.KServe.FindByName("inferencegraphs")!;

    /// <summary>What the condition says for each kind.</summary>
    public static string Message(string kind) => kind switch
    {
        "TrainedModel" => "servesharp up keeps TrainedModels but does not load them into model servers (multi-model serving runs on Kubernetes only); serve the model as an InferenceService of its own",
        _ => "servesharp up keeps InferenceGraphs but does not route requests through them (there is no graph router outside Kubernetes); call the InferenceServices of the graph from the client",
    };

    /// <summary>Marks every stored and every new or changed resource of both kinds until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(WatchAsync(TrainedModelType, cancellationToken), WatchAsync(InferenceGraphType, cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task WatchAsync(ResourceType type, CancellationToken cancellationToken)
    {
        var list = await store.ListAsync(type, null, cancellationToken).ConfigureAwait(false);
        foreach (var item in list.Items)
        {
            await MarkAsync(type, item, cancellationToken).ConfigureAwait(false);
        }

        await foreach (var e in store.WatchAsync(type, null, list.ResourceVersion, cancellationToken).ConfigureAwait(false))
        {
            if (e.Type != WatchEventType.Deleted)
            {
                await MarkAsync(type, e.Object, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task MarkAsync(ResourceType type, JsonObject obj, CancellationToken cancellationToken)
    {
        var key = new ResourceKey(type, ObjectMeta.Namespace(obj)!, ObjectMeta.Name(obj)!);
        var message = Message(type.Kind);
        if (await store.UpdateStatusAsync(key, current => Status(current, message), cancellationToken).ConfigureAwait(false))
        {
            ReconcilerLog.NotServed(logger, type.Kind, $"{key.Namespace}/{key.Name}", message);
        }
    }

    // The NotSupportedLocally status for this generation, or null when the resource already has it.
    private JsonObject? Status(JsonObject current, string message)
    {
        var ready = current["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == "Ready");
        var generation = current["metadata"]?["generation"];
        if ((string?)ready?["reason"] == Reason && (string?)ready?["message"] == message
            && current["status"]?["observedGeneration"]?.ToJsonString() == generation?.ToJsonString())
        {
            return null;
        }

        return new JsonObject
        {
            ["observedGeneration"] = generation?.DeepClone(),
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Ready",
                ["status"] = "False",
                ["lastTransitionTime"] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["reason"] = Reason,
                ["message"] = message,
            }),
        };
    }
}
