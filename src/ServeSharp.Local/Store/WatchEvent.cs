using System.Text.Json.Nodes;

namespace ServeSharp.Local.Store;

/// <summary>One change to a stored object, in resourceVersion order.</summary>
/// <param name="Type">ADDED, MODIFIED or DELETED.</param>
/// <param name="ResourceVersion">The store revision of the change.</param>
/// <param name="Object">The object after the change (before it, for DELETED), with <c>metadata.resourceVersion</c> set.</param>
public sealed record WatchEvent(WatchEventType Type, long ResourceVersion, JsonObject Object)
{
    /// <summary>The Kubernetes wire name of <see cref="Type"/>.</summary>
    public string TypeName => Type switch
    {
        WatchEventType.Added => "ADDED",
        WatchEventType.Modified => "MODIFIED",
        _ => "DELETED",
    };
}
