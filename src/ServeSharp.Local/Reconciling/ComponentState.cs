using ServeSharp.Local.Autoscaling;

namespace ServeSharp.Local.Reconciling;

/// <summary>One component of a service (Knative's Configuration + Route): its revisions, rollout history and traffic.</summary>
internal sealed class ComponentState(string component, string revisionPrefix)
{
    /// <summary><c>predictor</c>, <c>transformer</c>, <c>explainer</c> or <c>canary-{name}</c> (a Standard-mode canary predictor).</summary>
    public string Component { get; } = component;

    /// <summary>Revision names are <c>{prefix}-00001</c>, …: <c>{isvc}-predictor</c>, <c>{isvc}-{canary}-predictor</c>.</summary>
    public string RevisionPrefix { get; } = revisionPrefix;

    /// <summary>Live revisions, oldest first; the last one is the latest created.</summary>
    public List<LocalRevision> Revisions { get; } = [];

    public string? LatestRolledOut { get; set; }

    public string? PreviousRolledOut { get; set; }

    /// <summary>Number of the next revision (0: not yet known).</summary>
    public int NextNumber { get; set; }

    public AutoscalerSpec? Scaling { get; set; }

    /// <summary>Current traffic targets.</summary>
    public List<RevisionTraffic> Split { get; set; } = [];

    /// <summary>Why the component is not ready (KServe reason), or null.</summary>
    public string? FailureReason { get; set; }

    public string? FailureMessage { get; set; }

    /// <summary>Exit code behind <see cref="FailureReason"/>, when a process exited.</summary>
    public int? FailureExitCode { get; set; }

    public RuntimeReference? Runtime { get; set; }

    public LocalRevision? Latest => Revisions.LastOrDefault();

    /// <summary>Ready as KServe's <c>{Component}Ready</c> condition means it: the latest revision was ready and nothing failed.</summary>
    public bool Ready => FailureReason is null && Latest is { EverReady: true };
}

/// <summary>One traffic target of a component.</summary>
internal sealed record RevisionTraffic(LocalRevision Revision, int Percent, string? Tag);
