using System.Globalization;
using ServeSharp.Runtimes.Sklearn.Pickle;

namespace ServeSharp.Runtimes.Sklearn.Numpy;

/// <summary>A numpy dtype as pickled: <c>numpy.dtype(spec, align, copy)</c> followed by a BUILD state.</summary>
public sealed class NumpyDType
{
    private NumpyDType(char kind, int itemSize, char byteOrder)
    {
        Kind = kind;
        ItemSize = itemSize;
        ByteOrder = byteOrder;
    }

    /// <summary>The numpy kind character: f, i, u, b, O, U, S, V, c, M, m.</summary>
    public char Kind { get; private set; }

    /// <summary>Bytes per element (for U: 4 per character).</summary>
    public int ItemSize { get; private set; }

    /// <summary>'&lt;', '&gt;', '|' or '='.</summary>
    public char ByteOrder { get; private set; }

    /// <summary>Fields of a structured dtype, in offset order, or empty.</summary>
    public IReadOnlyList<NumpyField> Fields { get; private set; } = [];

    /// <summary>True when the data is stored big-endian and must be swapped.</summary>
    public bool IsBigEndian => ByteOrder == '>';

    /// <summary>True for object arrays (pickled item by item).</summary>
    public bool HasObject => Kind == 'O' || Fields.Any(f => f.DType.HasObject);

    /// <summary>A short description such as <c>&lt;f8</c>.</summary>
    public override string ToString() => $"{ByteOrder}{Kind}{ItemSize}";

    /// <summary>Parses the spec string numpy pickles (e.g. <c>f8</c>, <c>&lt;i8</c>, <c>U5</c>, <c>O8</c>, <c>V56</c>, <c>b1</c>).</summary>
    public static NumpyDType FromSpec(string spec)
    {
        var s = spec;
        var order = '=';
        if (s.Length > 0 && s[0] is '<' or '>' or '|' or '=')
        {
            order = s[0];
            s = s[1..];
        }

        if (s.Length == 0)
        {
            throw new PickleException($"numpy dtype '{spec}' is not understood");
        }

        var kind = s[0];
        var size = 0;
        if (s.Length > 1 && !int.TryParse(s.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out size))
        {
            throw new PickleException($"numpy dtype '{spec}' is not understood");
        }

        switch (kind)
        {
            case 'f' or 'i' or 'u' or 'c' when size is 1 or 2 or 4 or 8 or 16:
                break;
            case 'b' when size is 0 or 1:
                size = 1;
                break;
            case '?':
                kind = 'b';
                size = 1;
                break;
            case 'O':
                size = 8;
                break;
            case 'U':
                size *= 4;
                break;
            case 'S' or 'V' or 'a':
                kind = kind == 'a' ? 'S' : kind;
                break;
            case 'M' or 'm':
                size = 8;
                break;
            default:
                throw new PickleException($"numpy dtype '{spec}' is not supported");
        }

        if (order == '=')
        {
            order = size == 1 || kind is 'O' or 'S' or 'V' ? '|' : '<';
        }

        return new NumpyDType(kind, size, order);
    }

    /// <summary>Applies the dtype's BUILD state <c>(version, endian, subarray, names, fields, elsize, alignment, flags[, metadata])</c>.</summary>
    public void SetState(object? state)
    {
        if (state is not PyTuple t || t.Count < 8)
        {
            throw new PickleException("numpy dtype state is not the expected 8-tuple");
        }

        if (t[1] is string endian && endian.Length == 1)
        {
            ByteOrder = endian[0] == '=' ? '<' : endian[0];
        }

        if (t[5] is long elsize && elsize > 0 && Kind is 'U' or 'S' or 'V')
        {
            ItemSize = checked((int)elsize);
        }

        if (t[2] is not null)
        {
            throw new PickleException("numpy sub-array dtypes are not supported");
        }

        if (t[3] is PyTuple names && t[4] is PyDict fields)
        {
            var list = new List<NumpyField>();
            foreach (var nameObj in names)
            {
                if (nameObj is not string name || !fields.TryGetValue(name, out var f) || f is not PyTuple ft || ft.Count < 2
                    || ft[0] is not NumpyDType fdt || ft[1] is not long offset)
                {
                    throw new PickleException("numpy structured dtype has a malformed field");
                }

                list.Add(new NumpyField(name, fdt, checked((int)offset)));
            }

            Fields = list;
        }
    }
}

/// <summary>One field of a structured dtype.</summary>
public sealed record NumpyField(string Name, NumpyDType DType, int Offset);
