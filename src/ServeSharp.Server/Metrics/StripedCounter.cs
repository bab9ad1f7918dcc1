namespace ServeSharp.Server.Metrics;

/// <summary>
/// A count that threads on different cores add to without sharing a cache line: one slot per core, summed when read.
/// Counting every request in one Prometheus counter moved its line between the cores on each request (a locked
/// compare-exchange loop on a shared double); the Prometheus series is set from <see cref="Value"/> when scraped.
/// </summary>
internal sealed class StripedCounter
{
    // Longs per slot: 128 bytes, so neighbouring slots never share a cache line (or its prefetch pair).
    private const int Stride = 16;
    private static readonly int Slots = Math.Min(Environment.ProcessorCount, 64);

    // Slot 0 is left empty: the slots start a whole stride into the array, away from its length field.
    private readonly long[] _slots = new long[(Slots + 1) * Stride];

    /// <summary>The count so far (exact once no thread is adding).</summary>
    public long Value
    {
        get
        {
            long sum = 0;
            for (var i = Stride; i < _slots.Length; i += Stride)
            {
                sum += Volatile.Read(ref _slots[i]);
            }

            return sum;
        }
    }

    /// <summary>Adds one.</summary>
    public void Increment() =>
        Interlocked.Increment(ref _slots[(1 + (int)((uint)Thread.GetCurrentProcessorId() % (uint)Slots)) * Stride]);
}
