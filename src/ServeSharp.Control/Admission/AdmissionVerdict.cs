namespace ServeSharp.Control.Admission;

/// <summary>A validating webhook's verdict on one object: allowed (with warnings) or denied with KServe's message.</summary>
/// <param name="Error">The denial message, or null when allowed.</param>
/// <param name="Warnings">Admission warnings.</param>
public sealed record AdmissionVerdict(string? Error, IReadOnlyList<string> Warnings)
{
    /// <summary>Allowed without warnings.</summary>
    public static AdmissionVerdict Allowed { get; } = new(null, []);

    /// <summary>Denied.</summary>
    public static AdmissionVerdict Deny(string error) => new(error, []);

    /// <summary>True when allowed.</summary>
    public bool IsAllowed => Error is null;
}
