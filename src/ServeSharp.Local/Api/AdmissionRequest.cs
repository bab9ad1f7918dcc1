using System.Text.Json.Nodes;
using ServeSharp.Local.Store;

namespace ServeSharp.Local.Api;

/// <summary>What an <see cref="IAdmissionHook"/> sees, like Kubernetes' AdmissionReview request.</summary>
/// <param name="Operation">Create, Update or Delete.</param>
/// <param name="Type">The kind being written.</param>
/// <param name="Namespace">Namespace ("" for cluster-scoped kinds).</param>
/// <param name="Name">Object name.</param>
/// <param name="Object">The object to be stored (null for Delete). Hooks may mutate it in place (defaulting).</param>
/// <param name="OldObject">The stored object before the write (null for Create).</param>
/// <param name="Store">The store, for hooks that look at other objects (e.g. runtime selection reads ServingRuntimes).</param>
public sealed record AdmissionRequest(
    AdmissionOperation Operation,
    ResourceType Type,
    string Namespace,
    string Name,
    JsonObject? Object,
    JsonObject? OldObject,
    IResourceStore Store);
