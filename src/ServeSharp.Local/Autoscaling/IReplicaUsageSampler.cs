namespace ServeSharp.Local.Autoscaling;

/// <summary>
/// A resource scale metric (HPA's <c>cpu</c> or <c>memory</c> utilisation) measured on the replica processes of one
/// revision, as a percent summed over the replicas, so that <c>ceil(total / target)</c> is HPA's desired replica count.
/// </summary>
public interface IReplicaUsageSampler
{
    /// <summary>The summed percent over the replica processes <paramref name="pids"/> (with their descendants).</summary>
    double Sample(IEnumerable<int> pids);
}
