namespace ServeSharp.Server;

/// <summary>
/// A count that threads on different cores change without sharing a cache line: one slot (stripe) per core, summed
/// when read. One shared counter moved its cache line between the cores on every change; request counts
/// (<c>servesharp_requests_total</c>, published at each scrape) and a model's in-flight requests are kept here.
/// </summary>
internal sealed class StripedCounter
{
    // Longs per stripe: 128 bytes, so neighbouring stripes never share a cache line (or its prefetch pair).
    private const int Stride = 16;
    private static readonly int Stripes = Math.Min(Environment.ProcessorCount, 64);

    // Stripe 0 is left empty: the stripes start a whole stride into the array, away from its length field.
    private readonly long[] _slots = new long[(Stripes + 1) * Stride];

    /// <summary>The stripe of the core the caller runs on (for <see cref="Add"/>).</summary>
    public int CurrentStripe => (1 + (int)((uint)Thread.GetCurrentProcessorId() % (uint)Stripes)) * Stride;

    /// <summary>The sum of all stripes (exact once no thread is changing them).</summary>
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

    /// <summary>Adds one on the caller's core's stripe.</summary>
    public void Increment() => Interlocked.Increment(ref _slots[CurrentStripe]);

    /// <summary>
    /// Adds <paramref name="delta"/> to <paramref name="stripe"/> (from <see cref="CurrentStripe"/>, possibly on
    /// another thread since). A full fence, like every interlocked operation.
    /// </summary>
    public void Add(int stripe, long delta) => Interlocked.Add(ref _slots[stripe], delta);
}
