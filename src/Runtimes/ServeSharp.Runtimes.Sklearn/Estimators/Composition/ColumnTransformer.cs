using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Numpy;
using ServeSharp.Runtimes.Sklearn.Pickle;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Composition;

/// <summary>
/// sklearn.compose.ColumnTransformer: each fitted transformer gets its columns, outputs are concatenated in order.
/// When the request names its columns (V2 <c>content_type=pd</c>) and the transformer was fitted on a DataFrame,
/// columns are selected by name, as scikit-learn does for DataFrames; otherwise by position.
/// </summary>
public sealed class ColumnTransformer : ITransformer
{
    private readonly List<Part> _parts = [];
    private readonly string[]? _featureNames;
    private readonly int _features;

    /// <summary>Builds the fitted transformers through <paramref name="factory"/>.</summary>
    public ColumnTransformer(SkObject est, EstimatorFactory factory, int depth)
    {
        _features = (int)est.Long("n_features_in_");
        _featureNames = est.ArrayOrNull("feature_names_in_")?.ToObjects().Select(o => o as string ?? "").ToArray();
        if (_featureNames is not null && _featureNames.Length != _features)
        {
            throw est.WrongType("feature_names_in_", $"{_features} names, one for each of n_features_in_");
        }
        foreach (var item in est.List("transformers_"))
        {
            if (item is not PyTuple { Count: 3 } t || t[0] is not string name)
            {
                throw est.WrongType("transformers_", "a list of (name, transformer, columns)");
            }

            var columns = ResolveColumns(est, t[2]);
            if (Array.Exists(columns, c => c < 0 || c >= _features))
            {
                throw est.WrongType("transformers_", $"columns of transformer '{name}' among the {_features} of n_features_in_");
            }

            if (columns.Length == 0 || t[1] is "drop")
            {
                continue;
            }

            var transformer = t[1] is "passthrough" ? null : factory.CreateTransformer(t[1], depth + 1);
            _parts.Add(new Part(name, columns, transformer));
        }

        if (est.Get("transformer_weights") is PyDict { Count: > 0 })
        {
            throw est.Unsupported("transformer_weights");
        }
    }

    /// <inheritdoc />
    public int? InputCount => _features;

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        var byName = x.Names is not null && _featureNames is not null;
        if (!byName && x.Columns != _features)
        {
            throw InferenceException.InvalidInput(
                $"X has {x.Columns} features, but ColumnTransformer is expecting {_features} features as input.");
        }

        var outputs = new List<FeatureFrame>(_parts.Count);
        foreach (var part in _parts)
        {
            var indices = byName ? part.Columns.Select(c => IndexByName(x, _featureNames![c])).ToArray() : part.Columns;
            var selected = x.Select(indices);
            outputs.Add(part.Transformer is null ? selected : part.Transformer.Transform(selected));
        }

        return FeatureFrame.HStack(outputs, x.Rows);
    }

    private static int IndexByName(FeatureFrame x, string name)
    {
        var i = x.IndexOf(name);
        return i >= 0 ? i : throw InferenceException.InvalidInput($"columns are missing: {{'{name}'}}");
    }

    private int[] ResolveColumns(SkObject est, object? spec)
    {
        int Named(string n)
        {
            var i = _featureNames is null ? -1 : Array.IndexOf(_featureNames, n);
            return i >= 0 ? i : throw est.WrongType("transformers_", $"column names among feature_names_in_ (no '{n}')");
        }

        int Index(long i) => (int)(i < 0 ? i + _features : i);

        return spec switch
        {
            string s => [Named(s)],
            long l => [Index(l)],
            PyList or PyTuple => ((IEnumerable<object?>)spec).Select(o => o switch
            {
                string s => Named(s),
                long l => Index(l),
                _ => throw est.Unsupported($"column selector {PickleReader.Describe(o)}"),
            }).ToArray(),
            NdArray { DType.Kind: 'b' } mask => mask.ToLongs().Select((v, i) => (v, i)).Where(p => p.v != 0).Select(p => p.i).ToArray(),
            NdArray a when a.DType.Kind is 'i' or 'u' => a.ToLongs().Select(Index).ToArray(),
            NdArray a => a.ToObjects().Select(o => o is string s ? Named(s) : throw est.Unsupported("column selector array")).ToArray(),
            PySlice slice => SliceIndices(est, slice),
            _ => throw est.Unsupported($"column selector {PickleReader.Describe(spec)}"),
        };
    }

    private int[] SliceIndices(SkObject est, PySlice slice)
    {
        if (slice.Step is not null and not 1L || slice.Start is string || slice.Stop is string)
        {
            throw est.Unsupported("column slices with a step or by name");
        }

        // Python's rules: negative bounds count from the end, and both are clamped to 0.._features.
        int Bound(object? value, int fallback) => value is long v ? (int)Math.Clamp(v < 0 ? v + _features : v, 0, _features) : fallback;
        var start = Bound(slice.Start, 0);
        var stop = Bound(slice.Stop, _features);
        return Enumerable.Range(start, Math.Max(0, stop - start)).ToArray();
    }

    private sealed record Part(string Name, int[] Columns, ITransformer? Transformer);
}
