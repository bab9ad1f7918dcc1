namespace ServeSharp.Local.Store;

/// <summary>A refused store or API operation, carrying what the Kubernetes-shaped <c>Status</c> body needs.</summary>
public sealed class ResourceStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResourceStoreException(StoreErrorReason reason, string message, IReadOnlyList<string>? causes = null)
        : base(message)
    {
        Reason = reason;
        Causes = causes ?? [];
    }

    /// <summary>The Kubernetes reason.</summary>
    public StoreErrorReason Reason { get; }

    /// <summary>Field-level details, e.g. admission messages.</summary>
    public IReadOnlyList<string> Causes { get; }

    /// <summary>The HTTP status code Kubernetes uses for <see cref="Reason"/>.</summary>
    public int StatusCode => Reason switch
    {
        StoreErrorReason.NotFound => 404,
        StoreErrorReason.AlreadyExists => 409,
        StoreErrorReason.Conflict => 409,
        StoreErrorReason.Expired => 410,
        _ => 422,
    };

    /// <summary>404 for <paramref name="key"/>.</summary>
    public static ResourceStoreException NotFound(ResourceKey key) =>
        new(StoreErrorReason.NotFound, $"{key.Type.QualifiedResource} \"{key.Name}\" not found");

    /// <summary>409 AlreadyExists for <paramref name="key"/>.</summary>
    public static ResourceStoreException AlreadyExists(ResourceKey key) =>
        new(StoreErrorReason.AlreadyExists, $"{key.Type.QualifiedResource} \"{key.Name}\" already exists");

    /// <summary>409 Conflict (stale resourceVersion) for <paramref name="key"/>.</summary>
    public static ResourceStoreException Conflict(ResourceKey key) =>
        new(
            StoreErrorReason.Conflict,
            $"Operation cannot be fulfilled on {key.Type.QualifiedResource} \"{key.Name}\": the object has been modified; please apply your changes to the latest version and try again");

    /// <summary>422 Invalid for <paramref name="key"/> with field-level causes.</summary>
    public static ResourceStoreException Invalid(ResourceKey key, IReadOnlyList<string> causes) =>
        new(
            StoreErrorReason.Invalid,
            $"{key.Type.Kind}.{key.Type.Group} \"{key.Name}\" is invalid: {string.Join("; ", causes)}",
            causes);
}
