namespace ServeSharp.Local.Autoscaling;

/// <summary>
/// The <c>memory</c> scale metric of one revision: each replica process tree's resident memory in percent of the
/// component's memory request (what Kubernetes' HPA measures as memory utilisation), summed over the replicas.
/// </summary>
public sealed class MemoryUsageSampler : IReplicaUsageSampler
{
    private readonly ProcStatReader _reader;
    private readonly long _requestBytes;

    /// <summary>Creates a sampler measuring against <paramref name="requestBytes"/> per replica.</summary>
    public MemoryUsageSampler(ProcStatReader reader, long requestBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestBytes);
        _reader = reader;
        _requestBytes = requestBytes;
    }

    /// <inheritdoc />
    public double Sample(IEnumerable<int> pids)
    {
        var snapshot = _reader.Snapshot();
        var total = 0.0;
        foreach (var pid in pids.Distinct())
        {
            if (_reader.TreeResidentBytes(pid, snapshot) is { } bytes)
            {
                total += (double)bytes / _requestBytes * 100;
            }
        }

        return total;
    }
}
