using System.Text.Json.Nodes;
using ServeSharp.Control.Api;

namespace ServeSharp.Control.Serialization;

/// <summary>One object read from a manifest file: either a typed resource, or the problem that stopped it.</summary>
public sealed record ManifestDocument
{
    /// <summary>0-based position in the file (after <c>List</c> expansion).</summary>
    public required int Index { get; init; }

    /// <summary>Line the document starts on.</summary>
    public required int Line { get; init; }

    /// <summary>The raw JSON tree.</summary>
    public required JsonNode Raw { get; init; }

    /// <summary>apiVersion as written (may be empty).</summary>
    public string ApiVersion { get; init; } = "";

    /// <summary>kind as written (may be empty).</summary>
    public string Kind { get; init; } = "";

    /// <summary>metadata.name as written (may be empty).</summary>
    public string Name { get; init; } = "";

    /// <summary>metadata.namespace as written (may be empty).</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The typed object, when decoding succeeded.</summary>
    public KServeResource? Resource { get; init; }

    /// <summary>Why the document could not be decoded, when it could not.</summary>
    public ManifestProblem? Problem { get; init; }
}

/// <summary>What kind of failure a <see cref="ManifestProblem"/> is; each maps to one kubectl message shape.</summary>
public enum ManifestProblemKind
{
    /// <summary>apiVersion/kind missing (client-side validation).</summary>
    MissingTypeInfo,
    /// <summary>kind/version not served ("no matches for kind").</summary>
    UnknownKind,
    /// <summary>metadata.name missing.</summary>
    MissingName,
    /// <summary>Unknown fields (strict decoding error, HTTP 400).</summary>
    StrictDecoding,
    /// <summary>Schema violations (HTTP 422 Invalid).</summary>
    Invalid,
    /// <summary>Admission webhook denial (HTTP 403).</summary>
    Denied,
}

/// <summary>A failure with its details; <see cref="KubectlErrorFormatter"/> turns it into kubectl's text.</summary>
/// <param name="Kind">Failure kind.</param>
/// <param name="Details">Field errors, unknown field paths, or the denial message.</param>
/// <param name="Webhook">Webhook name for denials.</param>
public sealed record ManifestProblem(ManifestProblemKind Kind, IReadOnlyList<string> Details, string? Webhook = null);
