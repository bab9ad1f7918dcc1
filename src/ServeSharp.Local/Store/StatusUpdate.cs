using System.Text.Json.Nodes;

namespace ServeSharp.Local.Store;

/// <summary>Writing a resource's status from a controller: read, decide, write through the status subresource.</summary>
internal static class StatusUpdate
{
    private const int Attempts = 5;

    /// <summary>
    /// Reads the resource and asks <paramref name="newStatus"/> for its status (null: leave it as it is), then writes
    /// it through the status subresource. A conflict (the resource changed meanwhile) reads it again, up to five
    /// times. True when a status was written; false when the resource is gone, needed no change, or kept conflicting.
    /// </summary>
    public static async Task<bool> UpdateStatusAsync(
        this IResourceStore store, ResourceKey key, Func<JsonObject, JsonNode?> newStatus, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var current = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (current is null || newStatus(current) is not { } status)
            {
                return false;
            }

            current["status"] = status;
            try
            {
                await store.ReplaceStatusAsync(key, current, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ResourceStoreException e) when (e.Reason == StoreErrorReason.Conflict)
            {
                // Changed meanwhile: read it again.
            }
        }

        return false;
    }
}
