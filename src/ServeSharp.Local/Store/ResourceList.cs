using System.Text.Json.Nodes;

namespace ServeSharp.Local.Store;

/// <summary>A consistent snapshot of objects and the store revision it was read at (start a watch from it).</summary>
public sealed record ResourceList(IReadOnlyList<JsonObject> Items, long ResourceVersion);
