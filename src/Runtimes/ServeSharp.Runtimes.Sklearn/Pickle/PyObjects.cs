using System.Collections;
using System.Numerics;

namespace ServeSharp.Runtimes.Sklearn.Pickle;

// The inert object graph the unpickler builds. Nothing here can run code: a "call" in the pickle stream only ever
// produces one of these records (or a numpy array / scalar), decided by the allow-list in GlobalAllowList.
//
// Python values map to: None → null, bool → bool, int → long (or BigInteger when it does not fit), float → double,
// str → string, bytes → byte[], tuple → PyTuple, list → PyList, dict → PyDict, set/frozenset → PySet.

/// <summary>A container that knows how deeply nested it is, so a hostile pickle cannot build a structure deep
/// enough to overflow the stack of whatever walks it later.</summary>
public interface IPyContainer
{
    /// <summary>1 for a container holding only scalars; one more than its deepest child otherwise.</summary>
    int Depth { get; }
}

/// <summary>A Python tuple.</summary>
public sealed class PyTuple(object?[] items, int depth) : IPyContainer, IReadOnlyList<object?>
{
    /// <summary>The empty tuple.</summary>
    public static readonly PyTuple Empty = new([], 1);

    /// <summary>The items.</summary>
    public object?[] Items { get; } = items;

    /// <inheritdoc />
    public int Depth { get; } = depth;

    /// <inheritdoc />
    public int Count => Items.Length;

    /// <inheritdoc />
    public object? this[int index] => Items[index];

    /// <inheritdoc />
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => Items.GetEnumerator();
}

/// <summary>A Python list.</summary>
public sealed class PyList : List<object?>, IPyContainer
{
    /// <inheritdoc />
    public int Depth { get; set; } = 1;
}

/// <summary>A Python dict (insertion ordered, like Python 3.7+).</summary>
public sealed class PyDict : IPyContainer
{
    private readonly Dictionary<object, int> _index = new(PyKeyComparer.Instance);
    private readonly List<KeyValuePair<object?, object?>> _entries = [];

    /// <inheritdoc />
    public int Depth { get; set; } = 1;

    /// <summary>Entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> (replacing, keeping the first position).</summary>
    public void Set(object? key, object? value)
    {
        var k = key ?? PyKeyComparer.NoneKey;
        if (_index.TryGetValue(k, out var at))
        {
            _entries[at] = new(key, value);
            return;
        }

        _index[k] = _entries.Count;
        _entries.Add(new(key, value));
    }

    /// <summary>Looks up a key.</summary>
    public bool TryGetValue(object? key, out object? value)
    {
        if (_index.TryGetValue(key ?? PyKeyComparer.NoneKey, out var at))
        {
            value = _entries[at].Value;
            return true;
        }

        value = null;
        return false;
    }
}

/// <summary>A Python set or frozenset.</summary>
public sealed class PySet : IPyContainer
{
    /// <summary>The items.</summary>
    public HashSet<object> Items { get; } = new(PyKeyComparer.Instance);

    /// <inheritdoc />
    public int Depth { get; set; } = 1;
}

/// <summary>A Python <c>slice(start, stop, step)</c>.</summary>
public sealed record PySlice(object? Start, object? Stop, object? Step);

/// <summary>
/// A reference to an allow-listed global (a class or a function). Holding one does nothing; what "calling" it
/// produces is decided by <see cref="Kind"/>.
/// </summary>
public sealed record PyGlobal(string Module, string Name, GlobalKind Kind)
{
    /// <summary><c>module.name</c>.</summary>
    public string FullName => Module + "." + Name;

    /// <inheritdoc />
    public override string ToString() => FullName;
}

/// <summary>
/// An instance of an allow-listed class: its class, the arguments it was created with (NEWOBJ / REDUCE) and the
/// attributes its state set (BUILD). No constructor or <c>__setstate__</c> ever runs.
/// </summary>
public sealed class PyInstance(PyGlobal type, PyTuple args) : IPyContainer
{
    /// <inheritdoc />
    public int Depth { get; set; } = args.Depth + 1;

    /// <summary>The class.</summary>
    public PyGlobal Type { get; } = type;

    /// <summary>Creation arguments.</summary>
    public PyTuple Args { get; } = args;

    /// <summary>Attributes from a dict state (and the slot-state dict of a (dict, slots) tuple).</summary>
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>A state that was not a dict (e.g. the tuple Cython classes pickle), or null.</summary>
    public object? State { get; set; }

    /// <summary>For joblib's NumpyArrayWrapper: the array read after it, which replaces it.</summary>
    public object? Replacement { get; set; }

    /// <inheritdoc />
    public override string ToString() => Type.FullName + " instance";
}

/// <summary>Structural equality for the values Python allows as dict keys and set members.</summary>
public sealed class PyKeyComparer : IEqualityComparer<object>
{
    /// <summary>The shared instance.</summary>
    public static readonly PyKeyComparer Instance = new();

    /// <summary>Stands in for Python's None as a dictionary key.</summary>
    public static readonly object NoneKey = new();

    /// <inheritdoc />
    public new bool Equals(object? x, object? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        return (x, y) switch
        {
            (string a, string b) => a == b,
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (PyTuple a, PyTuple b) => a.Count == b.Count && a.Items.Zip(b.Items).All(p => Equals(p.First ?? NoneKey, p.Second ?? NoneKey)),
            (bool a, bool b) => a == b,
            _ when IsNumber(x) && IsNumber(y) => ToDouble(x!) == ToDouble(y!) && ToBig(x!) == ToBig(y!),
            _ => false,
        };
    }

    /// <inheritdoc />
    public int GetHashCode(object obj) => obj switch
    {
        string s => s.GetHashCode(StringComparison.Ordinal),
        byte[] b => b.Length,
        PyTuple t => t.Count,
        _ when IsNumber(obj) => ToDouble(obj).GetHashCode(),
        _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj),
    };

    private static bool IsNumber(object? o) => o is long or double or bool or BigInteger;

    private static double ToDouble(object o) => o switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        BigInteger big => (double)big,
        _ => double.NaN,
    };

    private static BigInteger ToBig(object o) => o switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger big => big,
        double d when double.IsFinite(d) && Math.Floor(d) == d => new BigInteger(d),
        _ => BigInteger.MinusOne,
    };
}
