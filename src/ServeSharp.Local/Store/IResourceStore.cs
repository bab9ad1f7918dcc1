using System.Text.Json.Nodes;

namespace ServeSharp.Local.Store;

/// <summary>
/// A Kubernetes-like object store: JSON documents keyed by (group/kind, namespace, name), with a store-wide
/// monotonically increasing <c>resourceVersion</c>, <c>generation</c> bumped only on spec changes, a status
/// subresource and watches. Type-agnostic: it never interprets <c>spec</c> or <c>status</c>.
/// Every method throws <see cref="ResourceStoreException"/> for refused operations.
/// </summary>
public interface IResourceStore
{
    /// <summary>Creates an object; sets uid, creationTimestamp, generation 1 and resourceVersion; drops any status.</summary>
    Task<JsonObject> CreateAsync(ResourceType type, string ns, JsonObject obj, CancellationToken cancellationToken = default);

    /// <summary>Reads one object, or null when it does not exist.</summary>
    Task<JsonObject?> GetAsync(ResourceKey key, CancellationToken cancellationToken = default);

    /// <summary>Lists objects of a type, in one namespace or (null) in all, ordered by namespace and name.</summary>
    Task<ResourceList> ListAsync(ResourceType type, string? ns, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces everything but status and system metadata. A non-empty <c>metadata.resourceVersion</c> in
    /// <paramref name="obj"/> must match the stored one (else Conflict). Bumps generation when the spec changed.
    /// A replacement that changes nothing returns the stored object without a new resourceVersion.
    /// </summary>
    Task<JsonObject> ReplaceAsync(ResourceKey key, JsonObject obj, CancellationToken cancellationToken = default);

    /// <summary>Replaces only <c>status</c> (the status subresource), with the same resourceVersion precondition.</summary>
    Task<JsonObject> ReplaceStatusAsync(ResourceKey key, JsonObject obj, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object and returns its last state.</summary>
    Task<JsonObject> DeleteAsync(ResourceKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams changes with resourceVersion greater than <paramref name="fromResourceVersion"/>: first the retained
    /// history, then live changes, until cancelled. Throws Expired when that history has been compacted away.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(ResourceType type, string? ns, long fromResourceVersion, CancellationToken cancellationToken = default);
}
