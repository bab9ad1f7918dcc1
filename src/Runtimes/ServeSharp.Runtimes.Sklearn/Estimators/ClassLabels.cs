using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Estimators;

/// <summary>
/// A classifier's <c>classes_</c>, turned into a response tensor of the same type numpy would give:
/// int64 → INT64, float → FP64, bool → BOOL, str/object strings → BYTES.
/// </summary>
public sealed class ClassLabels
{
    private readonly long[]? _longs;
    private readonly double[]? _doubles;
    private readonly bool[]? _bools;
    private readonly string[]? _strings;

    /// <summary>Reads <paramref name="classes"/>.</summary>
    public ClassLabels(NdArray classes, string owner)
    {
        Count = (int)classes.Count;
        switch (classes.DType.Kind)
        {
            case 'i' or 'u':
                _longs = classes.ToLongs();
                break;
            case 'f':
                _doubles = classes.ToDoubles();
                break;
            case 'b':
                _bools = (bool[])classes.Data;
                break;
            case 'U':
                _strings = (string[])classes.Data;
                break;
            case 'O':
                var items = classes.ToObjects();
                if (items.All(i => i is string))
                {
                    _strings = items.Cast<string>().ToArray();
                }
                else if (items.All(i => i is long))
                {
                    _longs = items.Cast<long>().ToArray();
                }
                else
                {
                    throw new SklearnModelException($"{owner}: classes_ mixes types; only strings or integers are supported");
                }

                break;
            default:
                throw new SklearnModelException($"{owner}: classes_ of dtype {classes.DType} is not supported");
        }
    }

    /// <summary>The response datatype of these labels.</summary>
    public TensorDataType DataType => _longs is not null ? TensorDataType.Int64
        : _doubles is not null ? TensorDataType.FP64
        : _bools is not null ? TensorDataType.Bool
        : TensorDataType.Bytes;

    /// <summary>Number of classes.</summary>
    public int Count { get; }

    /// <summary>
    /// The columns a scikit-learn classifier's decision values have for these classes (coef_ rows, output units,
    /// trees per boosting stage): one for two classes (the second class's score), else one per class.
    /// </summary>
    public int DecisionColumns => Count == 2 ? 1 : Count;

    /// <summary>The label at each index, as a tensor of shape [n].</summary>
    public Tensor Take(int[] indices, string name)
    {
        var shape = new long[] { indices.Length };
        if (_longs is not null)
        {
            return Tensor.Create(name, shape, Gather(_longs, indices));
        }

        if (_doubles is not null)
        {
            return Tensor.Create(name, shape, Gather(_doubles, indices));
        }

        if (_bools is not null)
        {
            return Tensor.Create(name, shape, Gather(_bools, indices));
        }

        return Tensor.FromStrings(name, shape, Gather(_strings!, indices));
    }

    private static T[] Gather<T>(T[] labels, int[] indices)
    {
        var result = new T[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            result[i] = labels[indices[i]];
        }

        return result;
    }

    /// <summary>Position of a numeric label (used where sklearn maps values back to class indices).</summary>
    public int IndexOf(double value)
    {
        if (_longs is not null)
        {
            return Array.IndexOf(_longs, (long)value);
        }

        return _doubles is not null ? Array.IndexOf(_doubles, value) : -1;
    }
}
