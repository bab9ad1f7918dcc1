using ServeSharp.Control.Api;
using ServeSharp.Control.Runtimes;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Pipeline;

/// <summary>What the API server + KServe webhooks would do with one manifest object.</summary>
public sealed record AdmissionOutcome
{
    /// <summary>The document as read.</summary>
    public required ManifestDocument Document { get; init; }

    /// <summary>The object as it would be stored (defaulted, mutated), when admitted.</summary>
    public KServeResource? Admitted { get; init; }

    /// <summary>Why it was rejected, when rejected.</summary>
    public ManifestProblem? Problem { get; init; }

    /// <summary>Admission warnings (kubectl prints them as "Warning: ...").</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>For InferenceServices: the runtime the controller would pick (or why none).</summary>
    public RuntimeSelection? Runtime { get; init; }

    /// <summary>True when admitted.</summary>
    public bool IsAdmitted => Admitted is not null;

    /// <summary>kubectl's name for the object, e.g. <c>inferenceservice.serving.kserve.io/sklearn-iris</c>.</summary>
    public string DisplayName =>
        $"{Document.Kind.ToLowerInvariant()}.{GroupOf(Document.ApiVersion)}/{Document.Name}";

    /// <summary>The kubectl error text for a rejection.</summary>
    public string FormatError(string source) =>
        KubectlErrorFormatter.Format(Problem is null ? Document : Document with { Problem = Problem }, source);

    private static string GroupOf(string apiVersion) =>
        apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : apiVersion;
}
