namespace ServeSharp.Server.Models;

/// <summary>Lifecycle state of a model in the <see cref="ModelRepository"/>.</summary>
public enum ModelState
{
    /// <summary>The runtime is loading it.</summary>
    Loading,
    /// <summary>Serving requests.</summary>
    Ready,
    /// <summary>Loading failed; <see cref="ModelEntry.Reason"/> says why.</summary>
    Failed,
    /// <summary>Being unloaded: in-flight requests finish, new ones are refused.</summary>
    Unloading,
}
