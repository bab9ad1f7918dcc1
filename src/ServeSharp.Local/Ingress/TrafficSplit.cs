namespace ServeSharp.Local.Ingress;

/// <summary>Splits requests between revisions by percent (canary), with a deterministic <see cref="WeightedPicker"/>.</summary>
public sealed class TrafficSplit
{
    private readonly WeightedPicker _picker;

    /// <summary>Creates a split; percents must be 0..100 and sum to 100 (Knative's rule).</summary>
    public TrafficSplit(IReadOnlyList<TrafficTarget> targets)
    {
        if (targets.Count == 0 || targets.Any(t => t.Percent is < 0 or > 100) || targets.Sum(t => t.Percent) != 100)
        {
            throw new ArgumentException(
                $"Traffic percents must each be 0..100 and sum to 100 (got {string.Join(", ", targets.Select(t => $"{t.Backend.Name}={t.Percent}"))}).",
                nameof(targets));
        }

        Targets = targets;
        _picker = new WeightedPicker(targets.Select(t => t.Percent).ToArray());
    }

    /// <summary>All revisions to one backend.</summary>
    public static TrafficSplit To(RevisionBackend backend) => new([new TrafficTarget(backend, 100)]);

    /// <summary>The targets.</summary>
    public IReadOnlyList<TrafficTarget> Targets { get; }

    /// <summary>Picks the revision for the next request.</summary>
    public RevisionBackend Pick() => Targets[_picker.Next()].Backend;
}
