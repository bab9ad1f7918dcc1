namespace ServeSharp.Local.Store;

/// <summary>Kubernetes watch event types.</summary>
public enum WatchEventType
{
    /// <summary>The object was created (or existed when a watch started without a resourceVersion).</summary>
    Added,

    /// <summary>The object (spec, metadata or status) changed.</summary>
    Modified,

    /// <summary>The object was deleted; the event carries its last state.</summary>
    Deleted,
}
