namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// Reusable objects lent to one user at a time, keeping up to a fixed number of them. A rent that finds none free
/// gets a new one; one returned to a full pool is disposed instead of kept. Lock-free: a rent or return is a scan of
/// a small array with one interlocked operation on the slot it takes or fills.
/// </summary>
internal sealed class BoundedPool<T> : IDisposable
    where T : class, IDisposable
{
    private readonly Func<T> _create;
    private readonly T?[] _free;
    private int _created;

    public BoundedPool(Func<T> create, int capacity)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _create = create;
        _free = new T?[capacity];
    }

    /// <summary>How many objects the pool has made so far.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>A free object, or a new one: give it back with <see cref="Return"/>.</summary>
    public T Rent()
    {
        for (var i = 0; i < _free.Length; i++)
        {
            if (Volatile.Read(ref _free[i]) is not null && Interlocked.Exchange(ref _free[i], null) is { } item)
            {
                return item;
            }
        }

        Interlocked.Increment(ref _created);
        return _create();
    }

    /// <summary>Takes an object back: kept when there is room, else disposed.</summary>
    public void Return(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        for (var i = 0; i < _free.Length; i++)
        {
            if (Volatile.Read(ref _free[i]) is null && Interlocked.CompareExchange(ref _free[i], item, null) is null)
            {
                return;
            }
        }

        item.Dispose();
    }

    /// <summary>Disposes the kept objects; call when none is rented.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _free.Length; i++)
        {
            Interlocked.Exchange(ref _free[i], null)?.Dispose();
        }
    }
}
