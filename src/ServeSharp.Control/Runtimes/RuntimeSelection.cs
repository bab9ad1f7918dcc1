using ServeSharp.Control.Api.V1Alpha1;

namespace ServeSharp.Control.Runtimes;

/// <summary>The outcome of runtime selection: a runtime, or KServe's failure reason and message.</summary>
public sealed record RuntimeSelection
{
    /// <summary>The chosen runtime.</summary>
    public ServingRuntimeBase? Runtime { get; init; }

    /// <summary>FailureReason (<c>RuntimeNotRecognized</c>, <c>RuntimeDisabled</c>, <c>NoSupportingRuntime</c>), when none.</summary>
    public string? FailureReason { get; init; }

    /// <summary>KServe's controller message, when none.</summary>
    public string? Message { get; init; }

    /// <summary>True when the predictor has no <c>model</c> (custom container or ModelMesh): nothing to select.</summary>
    public bool NotApplicable { get; init; }

    /// <summary>True when a runtime was chosen.</summary>
    public bool Succeeded => Runtime is not null;

    internal static RuntimeSelection Fail(string reason, string message) => new() { FailureReason = reason, Message = message };
}
