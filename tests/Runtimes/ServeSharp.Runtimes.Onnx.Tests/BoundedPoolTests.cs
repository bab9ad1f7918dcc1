namespace ServeSharp.Runtimes.Onnx.Tests;

/// <summary>
/// The pool that lends run slots: what it keeps, what it makes and disposes, and that no object is ever lent to two
/// users at once, however many threads rent and return.
/// </summary>
public sealed class BoundedPoolTests
{
    [Fact]
    public void Rent_AfterReturn_LendsTheKeptObjectInsteadOfMakingOne()
    {
        using var pool = new BoundedPool<Item>(() => new Item(), capacity: 4);
        var first = pool.Rent();
        pool.Return(first);

        Assert.Same(first, pool.Rent());
        Assert.Equal(1, pool.Created);
    }

    [Fact]
    public void Return_BeyondCapacity_DisposesTheExtraObjects()
    {
        using var pool = new BoundedPool<Item>(() => new Item(), capacity: 3);
        var items = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToArray();
        Assert.Equal(5, pool.Created);

        foreach (var item in items)
        {
            pool.Return(item);
        }

        Assert.Equal(3, items.Count(i => !i.Disposed));
        var kept = Enumerable.Range(0, 3).Select(_ => pool.Rent()).ToHashSet();
        Assert.True(kept.SetEquals(items.Where(i => !i.Disposed)));
        Assert.Equal(5, pool.Created); // the three kept ones were lent again

        var fresh = pool.Rent(); // none left: a new one
        Assert.DoesNotContain(fresh, items);
        Assert.Equal(6, pool.Created);
    }

    [Fact]
    public void Dispose_DisposesEveryKeptObject()
    {
        var pool = new BoundedPool<Item>(() => new Item(), capacity: 2);
        var (a, b, c) = (pool.Rent(), pool.Rent(), pool.Rent());
        pool.Return(a);
        pool.Return(b);

        pool.Dispose();

        Assert.True(a.Disposed);
        Assert.True(b.Disposed);
        Assert.False(c.Disposed); // still lent out: its user disposes it
    }

    [Fact]
    public async Task RentAndReturn_FromManyThreads_NeverLendOneObjectToTwoUsers()
    {
        using var pool = new BoundedPool<Item>(() => new Item(), capacity: 4);
        using var start = new Barrier(8);
        var tasks = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                for (var i = 0; i < 20_000; i++)
                {
                    var item = pool.Rent();
                    Assert.False(item.Disposed);
                    Assert.Equal(1, Interlocked.Increment(ref item.Users));
                    Thread.SpinWait(i % 8);
                    Assert.Equal(0, Interlocked.Decrement(ref item.Users));
                    pool.Return(item);
                }
            },
            TaskCreationOptions.LongRunning)).ToArray();

        await Task.WhenAll(tasks);

        // Whatever the interleaving, the pool ends up keeping four distinct live objects.
        var kept = Enumerable.Range(0, 4).Select(_ => pool.Rent()).ToArray();
        Assert.All(kept, item => Assert.False(item.Disposed));
        Assert.Equal(4, kept.Distinct().Count());
    }

    private sealed class Item : IDisposable
    {
        public int Users;

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
