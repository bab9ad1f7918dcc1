using System.Text.Json.Nodes;

namespace ServeSharp.Local.Api;

/// <summary>An admission decision: allowed (optionally with a replacement object) or denied with messages.</summary>
public sealed record AdmissionResult
{
    private AdmissionResult(bool allowed, JsonObject? replacement, IReadOnlyList<string> errors)
    {
        Allowed = allowed;
        Replacement = replacement;
        Errors = errors;
    }

    /// <summary>True when the write may proceed.</summary>
    public bool Allowed { get; }

    /// <summary>When set, the object to store instead of the request's (a mutating hook's output).</summary>
    public JsonObject? Replacement { get; }

    /// <summary>Why the write was denied, one message per problem (e.g. <c>spec.predictor: exactly one …</c>).</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Allows the write, keeping the (possibly in-place mutated) request object.</summary>
    public static AdmissionResult Allow() => new(true, null, []);

    /// <summary>Allows the write with a replacement object.</summary>
    public static AdmissionResult AllowWith(JsonObject replacement) => new(true, replacement, []);

    /// <summary>Denies the write; the client gets 422 Invalid with these messages as causes.</summary>
    public static AdmissionResult Deny(params string[] errors) =>
        new(false, null, errors.Length == 0 ? ["denied by admission"] : errors);
}
