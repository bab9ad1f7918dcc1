using System.Text;
using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Pickle;

/// <summary>
/// The fixed meaning of every "call" a pickle can make (REDUCE, NEWOBJ, BUILD) on an allow-listed global. Each
/// branch builds data; none runs code from the file.
/// </summary>
internal static class PickleCalls
{
    /// <summary>REDUCE: <c>callable(*args)</c>.</summary>
    public static object? Call(object? callable, PyTuple args)
    {
        if (callable is not PyGlobal g)
        {
            throw new PickleException($"REDUCE on a {PickleReader.Describe(callable)}, which is not an allow-listed callable");
        }

        switch (g.Kind)
        {
            case GlobalKind.InertClass:
                return new PyInstance(g, args);
            case GlobalKind.InertFactory:
                // Cython: __pyx_unpickle_X(type, checksum, state) and newObj(type) rebuild an object of `type`.
                if (args.Count > 0 && args[0] is PyGlobal { Kind: GlobalKind.InertClass } type)
                {
                    var inst = new PyInstance(type, args);
                    if (args.Count >= 3)
                    {
                        inst.State = args[2];
                    }

                    return inst;
                }

                return new PyInstance(g, args);
            case GlobalKind.DType:
                return MakeDType(args);
            case GlobalKind.Reconstruct:
                return new NdArray();
            case GlobalKind.Scalar:
                return MakeScalar(args);
            case GlobalKind.FromBuffer:
                return FromBuffer(args);
            case GlobalKind.NumpyScalarType:
                return args.Count == 1 && args[0] is long or double or bool ? args[0] : throw Refuse(g, "only converts a number");
            case GlobalKind.CodecsEncode:
                return Encode(args);
            case GlobalKind.CopyregReconstructor:
                if (args.Count != 3 || args[1] is not PyGlobal { Kind: GlobalKind.Object } || args[2] is not null)
                {
                    throw new PickleException("copyreg._reconstructor is only supported as (cls, object, None)");
                }

                return NewObject(args[0], PyTuple.Empty);
            case GlobalKind.CopyregNewObj:
                if (args.Count == 0)
                {
                    throw new PickleException("copyreg.__newobj__ without a class");
                }

                return NewObject(args[0], new PyTuple(args.Items[1..], args.Depth));
            case GlobalKind.Slice:
                return args.Count switch
                {
                    1 => new PySlice(null, args[0], null),
                    2 => new PySlice(args[0], args[1], null),
                    3 => new PySlice(args[0], args[1], args[2]),
                    _ => throw new PickleException("slice() takes 1 to 3 arguments"),
                };
            case GlobalKind.Set:
                {
                    var set = new PySet();
                    if (args.Count == 1 && args[0] is PyList items)
                    {
                        foreach (var i in items)
                        {
                            set.Items.Add(i ?? PyKeyComparer.NoneKey);
                        }
                    }
                    else if (args.Count != 0)
                    {
                        throw new PickleException("set() is only supported from a list");
                    }

                    return set;
                }

            case GlobalKind.Bytes:
                return args.Count switch
                {
                    0 => Array.Empty<byte>(),
                    1 when args[0] is byte[] b => b,
                    1 when args[0] is PyList l => l.Select(v => checked((byte)(long)v!)).ToArray(),
                    2 => Encode(args),
                    _ => throw new PickleException("bytes() arguments are not supported"),
                };
            case GlobalKind.OrderedDict:
                {
                    var d = new PyDict();
                    if (args.Count == 1 && args[0] is PyList pairs)
                    {
                        foreach (var p in pairs)
                        {
                            if (p is not PyTuple { Count: 2 } kv)
                            {
                                throw new PickleException("OrderedDict items are not pairs");
                            }

                            d.Set(kv[0], kv[1]);
                        }
                    }

                    return d;
                }

            default:
                throw Refuse(g, "calling it is not allowed");
        }
    }

    /// <summary>NEWOBJ: <c>cls.__new__(cls, *args)</c>.</summary>
    public static object? NewObject(object? cls, PyTuple args)
    {
        if (cls is not PyGlobal g)
        {
            throw new PickleException($"NEWOBJ on a {PickleReader.Describe(cls)}, which is not an allow-listed class");
        }

        return g.Kind switch
        {
            GlobalKind.InertClass or GlobalKind.JoblibArrayWrapper => new PyInstance(g, args),
            GlobalKind.OrderedDict => new PyDict(),
            GlobalKind.Set => new PySet(),
            _ => throw Refuse(g, "creating an instance of it is not allowed"),
        };
    }

    /// <summary>BUILD: <c>obj.__setstate__(state)</c> or <c>obj.__dict__.update(state)</c>, as data only.</summary>
    public static void Build(object? target, object? state)
    {
        switch (target)
        {
            case PyInstance inst:
                if (state is PyDict dict)
                {
                    SetAttributes(inst, dict);
                }
                else if (state is PyTuple { Count: 2 } t && (t[0] is PyDict or null) && (t[1] is PyDict or null))
                {
                    if (t[0] is PyDict d0)
                    {
                        SetAttributes(inst, d0);
                    }

                    if (t[1] is PyDict d1)
                    {
                        SetAttributes(inst, d1);
                    }
                }
                else
                {
                    inst.State = state;
                }

                inst.Depth = Math.Max(inst.Depth, (state as IPyContainer)?.Depth + 1 ?? 1);
                break;
            case NdArray array:
                BuildArray(array, state);
                break;
            case NumpyDType dtype:
                dtype.SetState(state);
                break;
            case PyDict or PySet when state is null:
                break;
            default:
                throw new PickleException($"BUILD on a {PickleReader.Describe(target)} is not supported");
        }
    }

    /// <summary>Reads a shape tuple.</summary>
    public static long[] ToShape(PyTuple t)
    {
        var shape = new long[t.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = t[i] is long l ? l : throw new PickleException("numpy shape holds a non-integer");
        }

        NdArray.ElementCount(shape);
        return shape;
    }

    private static void SetAttributes(PyInstance inst, PyDict dict)
    {
        foreach (var (k, v) in dict.Entries)
        {
            if (k is not string name)
            {
                throw new PickleException($"{inst.Type.FullName} state has a non-string attribute name");
            }

            inst.Attributes[name] = v;
        }
    }

    private static void BuildArray(NdArray array, object? state)
    {
        // ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata)) — version is absent in old pickles.
        if (state is not PyTuple t || t.Count is not (4 or 5))
        {
            throw new PickleException("numpy array state is not the expected tuple");
        }

        var o = t.Count - 4;
        if (t[o] is not PyTuple shapeTuple || t[o + 1] is not NumpyDType dtype || t[o + 2] is not bool fortran)
        {
            throw new PickleException("numpy array state has an unexpected layout");
        }

        var shape = ToShape(shapeTuple);
        var built = t[o + 3] switch
        {
            byte[] raw => NdArray.FromBytes(dtype, shape, raw, fortran),
            string latin1 => NdArray.FromBytes(dtype, shape, Encoding.Latin1.GetBytes(latin1), fortran),
            PyList items when dtype.HasObject => NdArray.FromObjects(dtype, shape, items, fortran),
            _ => throw new PickleException("numpy array state holds neither raw bytes nor an object list"),
        };
        array.Set(built.DType, built.Shape, built.Data);
    }

    private static NumpyDType MakeDType(PyTuple args)
    {
        if (args.Count < 1 || args[0] is not string spec)
        {
            throw new PickleException("numpy.dtype() is only supported with a type string");
        }

        return NumpyDType.FromSpec(spec);
    }

    private static object? MakeScalar(PyTuple args)
    {
        if (args.Count < 1 || args[0] is not NumpyDType dtype)
        {
            throw new PickleException("numpy scalar without a dtype");
        }

        if (dtype.HasObject)
        {
            return args.Count > 1 ? args[1] : null;
        }

        var raw = args.Count > 1 ? args[1] switch
        {
            byte[] b => b,
            string s => Encoding.Latin1.GetBytes(s),
            _ => throw new PickleException("numpy scalar data is not bytes"),
        } : throw new PickleException("numpy scalar without data");
        var a = NdArray.FromBytes(dtype, [], raw, false);
        return a.ToObjects()[0];
    }

    private static NdArray FromBuffer(PyTuple args)
    {
        if (args.Count != 4 || args[0] is not byte[] buffer || args[1] is not NumpyDType dtype || args[2] is not PyTuple shape)
        {
            throw new PickleException("numpy _frombuffer arguments are not (buffer, dtype, shape, order)");
        }

        return NdArray.FromBytes(dtype, ToShape(shape), buffer, args[3] is "F");
    }

    private static byte[] Encode(PyTuple args)
    {
        if (args.Count != 2 || args[0] is not string text || args[1] is not string encoding)
        {
            throw new PickleException("encode() arguments are not (str, encoding)");
        }

        return encoding.ToLowerInvariant() switch
        {
            "latin1" or "latin-1" or "iso-8859-1" => Encoding.Latin1.GetBytes(text),
            "utf-8" or "utf8" => Encoding.UTF8.GetBytes(text),
            "ascii" => Encoding.ASCII.GetBytes(text),
            _ => throw new PickleException($"encoding '{encoding}' is not supported"),
        };
    }

    private static PickleSecurityException Refuse(PyGlobal g, string why) => new(g.FullName, why);
}
