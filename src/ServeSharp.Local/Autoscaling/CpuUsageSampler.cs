namespace ServeSharp.Local.Autoscaling;

/// <summary>
/// The <c>cpu</c> scale metric of one revision: for each replica process tree, CPU seconds used since the previous
/// sample divided by the wall time elapsed on the injected <see cref="TimeProvider"/>, in percent of one core (what
/// Kubernetes' HPA measures against a 1-CPU request, KServe's default), summed over the replicas. A replica seen
/// for the first time only sets its baseline.
/// </summary>
public sealed class CpuUsageSampler(ProcStatReader reader, TimeProvider time) : IReplicaUsageSampler
{
    private Dictionary<int, (double Seconds, long At)> _previous = [];

    /// <summary>Total CPU percent of the processes <paramref name="pids"/> (and their descendants) since the last call.</summary>
    public double Sample(IEnumerable<int> pids)
    {
        var snapshot = reader.Snapshot();
        var now = time.GetTimestamp();
        var current = new Dictionary<int, (double, long)>();
        var total = 0.0;
        foreach (var pid in pids.Distinct())
        {
            if (reader.TreeSeconds(pid, snapshot) is not { } seconds)
            {
                continue;
            }

            current[pid] = (seconds, now);
            if (_previous.TryGetValue(pid, out var before))
            {
                var wall = time.GetElapsedTime(before.At, now).TotalSeconds;
                if (wall > 0)
                {
                    total += Math.Max(0, seconds - before.Seconds) / wall * 100;
                }
            }
        }

        _previous = current;
        return total;
    }
}
