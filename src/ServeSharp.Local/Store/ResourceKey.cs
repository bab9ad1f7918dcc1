namespace ServeSharp.Local.Store;

/// <summary>Identifies one stored object. <see cref="Namespace"/> is empty for cluster-scoped kinds.</summary>
public readonly record struct ResourceKey(ResourceType Type, string Namespace, string Name)
{
    /// <inheritdoc />
    public override string ToString() =>
        Namespace.Length == 0 ? $"{Type.QualifiedResource}/{Name}" : $"{Type.QualifiedResource}/{Namespace}/{Name}";
}
