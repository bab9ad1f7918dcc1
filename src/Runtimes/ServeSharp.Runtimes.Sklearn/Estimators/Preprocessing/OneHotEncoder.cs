using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators.Linear;
using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;

/// <summary>
/// sklearn.preprocessing.OneHotEncoder (dense output; scikit-learn's sparse output has the same values): one 0/1
/// column per category, minus the dropped one (<c>drop_idx_</c>); unknown categories are an error or all zeros
/// (handle_unknown='ignore').
/// </summary>
public sealed class OneHotEncoder : ITransformer
{
    private readonly CategoryLookup[] _categories;
    private readonly int[] _drop;
    private readonly bool _ignoreUnknown;
    private readonly int _width;

    /// <summary>Reads the fitted attributes.</summary>
    public OneHotEncoder(SkObject est)
    {
        if (est.Bool("_infrequent_enabled"))
        {
            throw est.Unsupported("infrequent categories (min_frequency / max_categories)");
        }

        _categories = est.List("categories_").Select(c => new CategoryLookup(c as NdArray ?? throw est.WrongType("categories_", "a list of arrays"))).ToArray();
        _drop = new int[_categories.Length];
        Array.Fill(_drop, -1);
        if (est.ArrayOrNone("drop_idx_") is { } drops)
        {
            var items = drops.ToObjects();
            for (var i = 0; i < items.Length; i++)
            {
                _drop[i] = items[i] is null ? -1 : (int)(SkObject.ToDouble(items[i]) ?? -1);
            }
        }

        _ignoreUnknown = est.String("handle_unknown") is "ignore" or "infrequent_if_exist";
        _width = _categories.Select((c, i) => c.Count - (_drop[i] >= 0 ? 1 : 0)).Sum();
    }

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
                if (k < 0)
                {
                    if (!_ignoreUnknown)
                    {
                        throw InferenceException.InvalidInput(
                            $"Found unknown categories [{CategoryLookup.Describe(col, i)}] in column {j} during transform");
                    }

                    continue;
                }

                if (k == _drop[j])
                {
                    continue;
                }

                var position = _drop[j] >= 0 && k > _drop[j] ? k - 1 : k;
                result[i * _width + offset + position] = 1.0;
            }

            offset += cats.Count - (_drop[j] >= 0 ? 1 : 0);
        }

        return FeatureFrame.FromMatrix(result, n, _width);
    }
}
