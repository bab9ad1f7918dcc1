using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators.Linear;
using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;

/// <summary>
/// sklearn.preprocessing.OneHotEncoder (dense output; scikit-learn's sparse output has the same values): one 0/1
/// column per category, minus the dropped one (<c>drop_idx_</c>); unknown categories are an error or all zeros
/// (handle_unknown='ignore'). With infrequent categories (min_frequency / max_categories) the infrequent ones share
/// one column (<c>_default_to_infrequent_mappings</c>), and handle_unknown='infrequent_if_exist' puts unknown values
/// there too, as 1.2's <c>_map_infrequent_categories</c> does.
/// </summary>
public sealed class OneHotEncoder : ITransformer
{
    private readonly CategoryLookup[] _categories;
    private readonly int[] _drop;
    private readonly bool _ignoreUnknown;
    private readonly bool _unknownToInfrequent;
    private readonly int[]?[] _toInfrequent;
    private readonly int[] _firstInfrequent;
    private readonly int[] _outputs;
    private readonly int _width;

    /// <summary>Reads the fitted attributes.</summary>
    public OneHotEncoder(SkObject est)
    {
        _categories = est.List("categories_").Select(c => new CategoryLookup(c as NdArray ?? throw est.WrongType("categories_", "a list of arrays"))).ToArray();
        _drop = new int[_categories.Length];
        Array.Fill(_drop, -1);
        if (est.ArrayOrNone("drop_idx_") is { } drops)
        {
            var items = drops.ToObjects();
            if (items.Length != _categories.Length)
            {
                throw est.WrongType("drop_idx_", $"one entry per feature ({_categories.Length})");
            }

            for (var i = 0; i < items.Length; i++)
            {
                _drop[i] = items[i] is null ? -1 : (int)(SkObject.ToDouble(items[i]) ?? -1);
            }
        }

        var handleUnknown = est.String("handle_unknown");
        _ignoreUnknown = handleUnknown is "ignore" or "infrequent_if_exist";
        _unknownToInfrequent = handleUnknown == "infrequent_if_exist";
        _toInfrequent = new int[]?[_categories.Length];
        _firstInfrequent = new int[_categories.Length];
        Array.Fill(_firstInfrequent, -1);
        if (est.Bool("_infrequent_enabled"))
        {
            var infrequent = est.List("_infrequent_indices");
            var mappings = est.List("_default_to_infrequent_mappings");
            if (infrequent.Count != _categories.Length || mappings.Count != _categories.Length)
            {
                throw est.WrongType("_infrequent_indices", $"one entry per feature ({_categories.Length})");
            }

            for (var j = 0; j < _categories.Length; j++)
            {
                _firstInfrequent[j] = infrequent[j] is NdArray { Count: > 0 } idx ? (int)idx.ToLongs()[0] : -1;
                _toInfrequent[j] = mappings[j] is NdArray map ? map.ToLongs().Select(v => checked((int)v)).ToArray() : null;
                if (_toInfrequent[j] is { } m && m.Length != _categories[j].Count)
                {
                    throw est.WrongType("_default_to_infrequent_mappings", $"{_categories[j].Count} entries for feature {j}");
                }
            }

            _outputs = est.List("_n_features_outs").Select(v => checked((int)(SkObject.ToDouble(v) ?? -1))).ToArray();
            if (_outputs.Length != _categories.Length || _outputs.Any(o => o < 0))
            {
                throw est.WrongType("_n_features_outs", $"{_categories.Length} column counts");
            }
        }
        else
        {
            _outputs = _categories.Select((c, i) => c.Count - (_drop[i] >= 0 ? 1 : 0)).ToArray();
        }

        _width = _outputs.Sum();
        for (var j = 0; j < _categories.Length; j++)
        {
            if (!ColumnsFit(j))
            {
                throw est.WrongType("categories_", $"categories of feature {j} that fit its {_outputs[j]} output columns (drop_idx_, infrequent mappings)");
            }
        }
    }

    // Transform writes category k of feature j to Column(j, k) of the feature's block; every category (and the
    // infrequent stand-in) must land inside that block.
    private bool ColumnsFit(int j)
    {
        var count = _categories[j].Count;
        if (_firstInfrequent[j] >= count)
        {
            return false;
        }

        for (var category = 0; category < count; category++)
        {
            if (Column(j, category) is { } column && (column < 0 || column >= _outputs[j]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The column of category <paramref name="category"/> within feature <paramref name="j"/>'s block; null when it is the dropped one.</summary>
    private int? Column(int j, int category)
    {
        // drop_idx_ counts in the grouped categories (infrequent ones as one).
        var k = _toInfrequent[j] is { } mapping ? mapping[category] : category;
        if (k == _drop[j])
        {
            return null;
        }

        return _drop[j] >= 0 && k > _drop[j] ? k - 1 : k;
    }

    /// <inheritdoc />
    public int? InputCount => _categories.Length;

    /// <inheritdoc />
    public int? OutputCount => _width;

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        LinearFunction.CheckFeatures(x, _categories.Length);
        var n = x.Rows;
        var result = new double[n * _width];
        var offset = 0;
        for (var j = 0; j < _categories.Length; j++)
        {
            var col = x.Column(j);
            var cats = _categories[j];
            for (var i = 0; i < n; i++)
            {
                var k = cats.Find(col, i);
                var known = k >= 0;
                if (!known && !_ignoreUnknown)
                {
                    throw InferenceException.InvalidInput(
                        $"Found unknown categories [{CategoryLookup.Describe(col, i)}] in column {j} during transform");
                }

                if (!known && _firstInfrequent[j] >= 0)
                {
                    k = _firstInfrequent[j];
                    known = _unknownToInfrequent;
                }

                if (!known)
                {
                    continue;
                }

                if (Column(j, k) is { } column)
                {
                    result[i * _width + offset + column] = 1.0;
                }
            }

            offset += _outputs[j];
        }

        return FeatureFrame.FromMatrix(result, n, _width);
    }
}
