namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// Reusable objects lent to one user at a time, keeping up to a fixed number of them. A rent that finds none free
/// gets a new one; one returned to a full pool is disposed instead of kept. Lock-free: a rent or return is a scan of
/// the slots with one interlocked operation on the slot it takes or fills. The scan starts at the slot of the core
/// the caller runs on, and slots lie a cache line apart, so threads on different cores do not fight over one line.
/// </summary>
internal sealed class BoundedPool<T> : IDisposable
    where T : class, IDisposable
{
    // References per cache line: slot i lives at index i * Stride.
    private const int Stride = 8;

    private readonly Func<T> _create;
    private readonly T?[] _free;
    private readonly int _capacity;
    private int _created;

    public BoundedPool(Func<T> create, int capacity)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _create = create;
        _capacity = capacity;
        _free = new T?[capacity * Stride];
    }

    /// <summary>How many objects the pool has made so far.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>A free object, or a new one: give it back with <see cref="Return"/>.</summary>
    public T Rent()
    {
        var slot = HomeSlot();
        for (var n = 0; n < _capacity; n++)
        {
            var i = slot * Stride;
            if (Volatile.Read(ref _free[i]) is not null && Interlocked.Exchange(ref _free[i], null) is { } item)
            {
                return item;
            }

            slot = slot + 1 == _capacity ? 0 : slot + 1;
        }

        Interlocked.Increment(ref _created);
        return _create();
    }

    /// <summary>Takes an object back: kept when there is room, else disposed.</summary>
    public void Return(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var slot = HomeSlot();
        for (var n = 0; n < _capacity; n++)
        {
            var i = slot * Stride;
            if (Volatile.Read(ref _free[i]) is null && Interlocked.CompareExchange(ref _free[i], item, null) is null)
            {
                return;
            }

            slot = slot + 1 == _capacity ? 0 : slot + 1;
        }

        item.Dispose();
    }

    /// <summary>Disposes the kept objects; call when none is rented.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _free.Length; i += Stride)
        {
            Interlocked.Exchange(ref _free[i], null)?.Dispose();
        }
    }

    private int HomeSlot() => (int)((uint)Thread.GetCurrentProcessorId() % (uint)_capacity);
}
