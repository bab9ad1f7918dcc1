using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Pickle;

/// <summary>
/// Interprets a pickle stream (protocols 0–5) into an inert object graph. Globals are resolved through
/// <see cref="GlobalAllowList"/>; "calls" (REDUCE, NEWOBJ, BUILD, INST, OBJ) are given fixed meanings by
/// <see cref="PickleCalls"/>. No code from the file ever runs. In joblib mode, the raw array bytes joblib writes
/// after each <c>NumpyArrayWrapper</c> are read from the same buffer, and object arrays as nested pickles.
/// </summary>
public sealed class PickleReader
{
    private static readonly object Mark = new();

    private readonly byte[] _buf;
    private readonly PickleLimits _limits;
    private readonly bool _joblib;
    private readonly IReadOnlyList<byte[]>? _buffers;
    private readonly int _nestingLevel;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;
    private int _nextBuffer;

    /// <summary>Creates a reader over <paramref name="buffer"/> starting at <paramref name="offset"/>.</summary>
    public PickleReader(byte[] buffer, int offset, PickleLimits limits, bool joblib, IReadOnlyList<byte[]>? outOfBandBuffers = null)
        : this(buffer, offset, limits, joblib, outOfBandBuffers, 0)
    {
    }

    private PickleReader(byte[] buffer, int offset, PickleLimits limits, bool joblib, IReadOnlyList<byte[]>? buffers, int nestingLevel)
    {
        _buf = buffer;
        _pos = offset;
        _limits = limits;
        _joblib = joblib;
        _buffers = buffers;
        _nestingLevel = nestingLevel;
    }

    /// <summary>Where the next unread byte is (after <see cref="Load"/>: just past STOP).</summary>
    public int Position => _pos;

    /// <summary>Reads one pickle up to and including STOP and returns its value.</summary>
    public object? Load()
    {
        while (true)
        {
            var opAt = _pos;
            var op = ReadByte();
            try
            {
                if (op == '.')
                {
                    var result = Pop();
                    return result is PyInstance { Replacement: not null } w ? w.Replacement : result;
                }

                Step(op);
            }
            catch (PickleException)
            {
                throw;
            }
            catch (Exception ex) when (ex is InvalidCastException or OverflowException or ArgumentException or FormatException
                                           or IndexOutOfRangeException or InvalidOperationException or DecoderFallbackException)
            {
                throw new PickleException($"malformed pickle at byte {opAt} (opcode 0x{op:x2}): {ex.Message}");
            }
        }
    }

    private void Step(byte op)
    {
        switch (op)
        {
            case 0x80: // PROTO
                var proto = ReadByte();
                if (proto > 5)
                {
                    throw new PickleException($"pickle protocol {proto} is not supported (0–5 are)");
                }

                break;
            case 0x95: // FRAME: frames are contiguous in the buffer, so only the length is skipped
                ReadLength(8);
                break;
            case (byte)'(':
                if (_marks.Count >= _limits.MaxMarkDepth)
                {
                    throw new PickleException($"pickle nests MARKs deeper than {_limits.MaxMarkDepth}");
                }

                _marks.Push(_stack.Count);
                break;
            case (byte)'0': Pop(); break;
            case (byte)'1': PopMark(); break;
            case (byte)'2': Push(Peek()); break;
            // numbers
            case (byte)'N': Push(null); break;
            case 0x88: Push(true); break;
            case 0x89: Push(false); break;
            case (byte)'I': Push(ParseIntLine(ReadLine())); break;
            case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
            case (byte)'K': Push((long)ReadByte()); break;
            case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
            case (byte)'L': Push(Normalize(BigInteger.Parse(ReadLongLine().TrimEnd('L'), CultureInfo.InvariantCulture))); break;
            case 0x8a: Push(ReadLong(ReadByte())); break;
            case 0x8b: Push(ReadLong(ReadLength(4))); break;
            case (byte)'F': Push(double.Parse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture)); break;
            case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
            // strings and bytes
            case (byte)'S': Push(ParseQuotedString(ReadLine())); break;
            case (byte)'T': Push(Encoding.Latin1.GetString(Take(ReadLength(4)))); break;
            case (byte)'U': Push(Encoding.Latin1.GetString(Take(ReadByte()))); break;
            case (byte)'V': Push(DecodeRawUnicodeEscape(ReadLine())); break;
            case (byte)'X': Push(Utf8(Take(ReadLength(4)))); break;
            case 0x8c: Push(Utf8(Take(ReadByte()))); break;
            case 0x8d: Push(Utf8(Take(ReadLength(8)))); break;
            case (byte)'B': Push(Take(ReadLength(4)).ToArray()); break;
            case (byte)'C': Push(Take(ReadByte()).ToArray()); break;
            case 0x8e: Push(Take(ReadLength(8)).ToArray()); break;
            case 0x96: Push(Take(ReadLength(8)).ToArray()); break;
            case 0x97: Push(NextBuffer()); break;
            case 0x98: break; // READONLY_BUFFER: our buffers are never written to
            // containers
            case (byte)']': Push(new PyList()); break;
            case (byte)')': Push(PyTuple.Empty); break;
            case (byte)'}': Push(new PyDict()); break;
            case 0x8f: Push(new PySet()); break;
            case (byte)'l': Push(MakeList(PopMark())); break;
            case (byte)'t': Push(MakeTuple(PopMark())); break;
            case 0x85: Push(MakeTuple([Pop()])); break;
            case 0x86: { var b = Pop(); var a = Pop(); Push(MakeTuple([a, b])); break; }
            case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(MakeTuple([a, b, c])); break; }
            case (byte)'d': { var items = PopMark(); var d = new PyDict(); SetItems(d, items); Push(d); break; }
            case 0x91: { var items = PopMark(); var s = new PySet(); AddItems(s, items); Push(s); break; }
            case (byte)'a': { var v = Pop(); Append(Peek(), [v]); break; }
            case (byte)'e': { var items = PopMark(); Append(Peek(), items); break; }
            case (byte)'s': { var v = Pop(); var k = Pop(); SetItems(Peek(), [k, v]); break; }
            case (byte)'u': { var items = PopMark(); SetItems(Peek(), items); break; }
            case 0x90: { var items = PopMark(); AddItems(Peek(), items); break; }
            // memo
            case (byte)'p': MemoPut(long.Parse(ReadLine(), CultureInfo.InvariantCulture)); break;
            case (byte)'q': MemoPut(ReadByte()); break;
            case (byte)'r': MemoPut(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))); break;
            case 0x94: MemoPut(_memo.Count); break;
            case (byte)'g': Push(MemoGet(long.Parse(ReadLine(), CultureInfo.InvariantCulture))); break;
            case (byte)'h': Push(MemoGet(ReadByte())); break;
            case (byte)'j': Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;
            // globals and calls
            case (byte)'c':
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    Push(GlobalAllowList.Resolve(module, name));
                    break;
                }

            case 0x93:
                {
                    var name = Pop() as string ?? throw new PickleException("STACK_GLOBAL name is not a string");
                    var module = Pop() as string ?? throw new PickleException("STACK_GLOBAL module is not a string");
                    Push(GlobalAllowList.Resolve(module, name));
                    break;
                }

            case (byte)'R':
                {
                    var args = Pop();
                    var callable = Pop();
                    Push(PickleCalls.Call(callable, AsTuple(args, "REDUCE")));
                    break;
                }

            case 0x81:
                {
                    var args = Pop();
                    var cls = Pop();
                    Push(PickleCalls.NewObject(cls, AsTuple(args, "NEWOBJ")));
                    break;
                }

            case 0x92:
                {
                    var kwargs = Pop();
                    var args = Pop();
                    var cls = Pop();
                    if (kwargs is PyDict { Count: > 0 })
                    {
                        throw new PickleException($"NEWOBJ_EX with keyword arguments for {cls} is not supported");
                    }

                    Push(PickleCalls.NewObject(cls, AsTuple(args, "NEWOBJ_EX")));
                    break;
                }

            case (byte)'i':
                {
                    var cls = GlobalAllowList.Resolve(ReadLine(), ReadLine());
                    Push(PickleCalls.NewObject(cls, MakeTuple(PopMark())));
                    break;
                }

            case (byte)'o':
                {
                    var items = PopMark();
                    if (items.Count == 0)
                    {
                        throw new PickleException("OBJ without a class");
                    }

                    Push(PickleCalls.NewObject(items[0], MakeTuple(items.Skip(1).ToList())));
                    break;
                }

            case (byte)'b':
                {
                    var state = Pop();
                    var target = Peek();
                    PickleCalls.Build(target, state);
                    if (_joblib && target is PyInstance { Type.Kind: GlobalKind.JoblibArrayWrapper } wrapper)
                    {
                        wrapper.Replacement = ReadJoblibArray(wrapper);
                        _stack[^1] = wrapper.Replacement;
                    }

                    break;
                }

            case (byte)'P' or (byte)'Q':
                throw new PickleException("persistent ids are not supported");
            case 0x82 or 0x83 or 0x84:
                throw new PickleException("copyreg extension codes are not supported");
            default:
                throw new PickleException($"unknown pickle opcode 0x{op:x2} at byte {_pos - 1}");
        }
    }

    private object? ReadJoblibArray(PyInstance wrapper)
    {
        var a = wrapper.Attributes;
        if (!a.TryGetValue("dtype", out var dtObj) || dtObj is not NumpyDType dtype
            || !a.TryGetValue("shape", out var shapeObj) || shapeObj is not PyTuple shapeTuple)
        {
            throw new PickleException("joblib NumpyArrayWrapper lacks its dtype or shape");
        }

        if (a.TryGetValue("subclass", out var sub) && sub is not PyGlobal { Kind: GlobalKind.NdarrayClass })
        {
            throw new PickleException($"joblib array subclass {sub} is not supported (only numpy.ndarray)");
        }

        var shape = PickleCalls.ToShape(shapeTuple);
        var fortran = a.TryGetValue("order", out var order) && order is "F";
        if (dtype.HasObject)
        {
            if (_nestingLevel + 1 > _limits.MaxNestedPickles)
            {
                throw new PickleException($"joblib nests pickles deeper than {_limits.MaxNestedPickles}");
            }

            var nested = new PickleReader(_buf, _pos, _limits, joblib: false, _buffers, _nestingLevel + 1);
            var value = nested.Load();
            _pos = nested.Position;
            return value;
        }

        if (a.ContainsKey("numpy_array_alignment_bytes"))
        {
            var padding = ReadByte();
            Take(padding);
        }

        var count = NdArray.ElementCount(shape);
        var bytes = checked(count * dtype.ItemSize);
        if (bytes > _buf.Length - _pos)
        {
            throw new PickleException($"joblib array claims {count} elements of {dtype} ({bytes} bytes) but only {_buf.Length - _pos} bytes remain");
        }

        return NdArray.FromBytes(dtype, shape, Take((int)bytes), fortran);
    }

    private byte[] NextBuffer()
    {
        if (_buffers is null || _nextBuffer >= _buffers.Count)
        {
            throw new PickleException($"the pickle asks for out-of-band buffer #{_nextBuffer} but {(_buffers?.Count ?? 0)} were supplied");
        }

        return _buffers[_nextBuffer++];
    }

    // ---- stack, memo and containers ------------------------------------------------------------------------------

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _stack.Count <= _marks.Peek()))
        {
            throw new PickleException("pickle stack underflow");
        }

        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek()
    {
        if (_stack.Count == 0)
        {
            throw new PickleException("pickle stack underflow");
        }

        return _stack[^1];
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0)
        {
            throw new PickleException("pickle has no MARK to pop to");
        }

        var at = _marks.Pop();
        var items = _stack.GetRange(at, _stack.Count - at);
        _stack.RemoveRange(at, _stack.Count - at);
        return items;
    }

    private void MemoPut(long index)
    {
        if (_memo.Count >= _limits.MaxMemoEntries && !_memo.ContainsKey(index))
        {
            throw new PickleException($"pickle memo exceeds {_limits.MaxMemoEntries} entries");
        }

        _memo[index] = Peek();
    }

    private object? MemoGet(long index)
    {
        if (!_memo.TryGetValue(index, out var v))
        {
            throw new PickleException($"pickle refers to memo entry {index} that was never stored");
        }

        return v is PyInstance { Replacement: not null } w ? w.Replacement : v;
    }

    private int DepthOf(object? v) => v is IPyContainer c ? c.Depth : 0;

    private int CheckDepth(int depth)
    {
        if (depth > _limits.MaxNestingDepth)
        {
            throw new PickleException($"pickle nests containers deeper than {_limits.MaxNestingDepth}");
        }

        return depth;
    }

    private PyTuple MakeTuple(IReadOnlyList<object?> items)
    {
        var depth = 0;
        foreach (var i in items)
        {
            depth = Math.Max(depth, DepthOf(i));
        }

        return new PyTuple(items.ToArray(), CheckDepth(depth + 1));
    }

    private PyList MakeList(List<object?> items)
    {
        var list = new PyList();
        Append(list, items);
        return list;
    }

    private void Append(object? target, IReadOnlyList<object?> items)
    {
        if (target is not PyList list)
        {
            throw new PickleException($"APPEND(S) on a {Describe(target)}, not a list");
        }

        foreach (var i in items)
        {
            list.Depth = Math.Max(list.Depth, CheckDepth(DepthOf(i) + 1));
            list.Add(i);
        }
    }

    private void SetItems(object? target, IReadOnlyList<object?> items)
    {
        if (items.Count % 2 != 0)
        {
            throw new PickleException("SETITEMS with an odd number of items");
        }

        switch (target)
        {
            case PyDict d:
                for (var i = 0; i < items.Count; i += 2)
                {
                    d.Depth = Math.Max(d.Depth, CheckDepth(Math.Max(DepthOf(items[i]), DepthOf(items[i + 1])) + 1));
                    d.Set(items[i], items[i + 1]);
                }

                break;
            case PyInstance inst:
                // SETITEM on an object means __setitem__; only plain dict-like state makes sense for inert objects.
                throw new PickleException($"SETITEM on {inst.Type.FullName} is not supported");
            default:
                throw new PickleException($"SETITEM(S) on a {Describe(target)}, not a dict");
        }
    }

    private void AddItems(object? target, IReadOnlyList<object?> items)
    {
        if (target is not PySet set)
        {
            throw new PickleException($"ADDITEMS on a {Describe(target)}, not a set");
        }

        foreach (var i in items)
        {
            set.Depth = Math.Max(set.Depth, CheckDepth(DepthOf(i) + 1));
            set.Items.Add(i ?? PyKeyComparer.NoneKey);
        }
    }

    private static PyTuple AsTuple(object? args, string op) =>
        args as PyTuple ?? throw new PickleException($"{op} arguments are a {Describe(args)}, not a tuple");

    internal static string Describe(object? v) => v switch
    {
        null => "None",
        PyInstance i => i.Type.FullName + " object",
        PyGlobal g => g.FullName,
        PyTuple => "tuple",
        PyList => "list",
        PyDict => "dict",
        _ => v.GetType().Name,
    };

    // ---- primitive readers ---------------------------------------------------------------------------------------

    private byte ReadByte()
    {
        if (_pos >= _buf.Length)
        {
            throw new PickleException($"pickle data ends unexpectedly at byte {_pos} (truncated file?)");
        }

        return _buf[_pos++];
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _buf.Length - _pos)
        {
            throw new PickleException($"pickle claims {count} bytes at byte {_pos} but only {_buf.Length - _pos} remain");
        }

        var span = _buf.AsSpan(_pos, count);
        _pos += count;
        return span;
    }

    private int ReadLength(int width)
    {
        var raw = Take(width);
        ulong n = width switch
        {
            1 => raw[0],
            4 => BinaryPrimitives.ReadUInt32LittleEndian(raw),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(raw),
        };
        if (n > (ulong)(_buf.Length - _pos))
        {
            throw new PickleException($"pickle claims {n} bytes at byte {_pos} but only {_buf.Length - _pos} remain");
        }

        return (int)n;
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(_buf, (byte)'\n', _pos);
        if (end < 0)
        {
            throw new PickleException($"pickle text field at byte {_pos} has no end of line");
        }

        var s = Encoding.Latin1.GetString(_buf, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private string ReadLongLine()
    {
        var s = ReadLine();
        return s.Length > _limits.MaxLongBytes ? throw new PickleException($"integer longer than {_limits.MaxLongBytes} digits") : s;
    }

    private object ReadLong(int length)
    {
        if (length > _limits.MaxLongBytes)
        {
            throw new PickleException($"integer longer than {_limits.MaxLongBytes} bytes");
        }

        return Normalize(new BigInteger(Take(length), isUnsigned: false, isBigEndian: false));
    }

    private static object Normalize(BigInteger v) => v >= long.MinValue && v <= long.MaxValue ? (object)(long)v : v;

    private static object ParseIntLine(string s) => s switch
    {
        "00" => false,
        "01" => true,
        _ => Normalize(BigInteger.Parse(s, CultureInfo.InvariantCulture)),
    };

    private static string Utf8(ReadOnlySpan<byte> b) => new UTF8Encoding(false, true).GetString(b);

    private static string ParseQuotedString(string line)
    {
        if (line.Length < 2 || line[0] != line[^1] || (line[0] != '\'' && line[0] != '"'))
        {
            throw new PickleException("STRING opcode argument is not quoted");
        }

        return Regex.Unescape(line[1..^1]);
    }

    private static string DecodeRawUnicodeEscape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 5 < s.Length + 0 && s[i + 1] == 'u')
            {
                sb.Append((char)int.Parse(s.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 5;
            }
            else if (s[i] == '\\' && i + 9 < s.Length + 0 && s[i + 1] == 'U')
            {
                sb.Append(char.ConvertFromUtf32(int.Parse(s.AsSpan(i + 2, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
                i += 9;
            }
            else
            {
                sb.Append(s[i]);
            }
        }

        return sb.ToString();
    }
}
