using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators.Linear;
using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;

/// <summary>
/// sklearn.preprocessing.OrdinalEncoder: each value replaced by its position in <c>categories_[i]</c>; unknowns are
/// an error or <c>unknown_value</c>; missing values become <c>encoded_missing_value</c>.
/// </summary>
public sealed class OrdinalEncoder : ITransformer
{
    private readonly CategoryLookup[] _categories;
    private readonly double? _unknownValue;
    private readonly double _encodedMissing;
    private readonly Dictionary<int, int> _missingIndex = [];

    /// <summary>Reads the fitted attributes.</summary>
    public OrdinalEncoder(SkObject est)
    {
        _categories = est.List("categories_").Select(c => new CategoryLookup(c as NdArray ?? throw est.WrongType("categories_", "a list of arrays"))).ToArray();
        if (est.String("handle_unknown") == "use_encoded_value")
        {
            _unknownValue = SkObject.ToDouble(est.Get("unknown_value")) ?? double.NaN;
        }

        _encodedMissing = SkObject.ToDouble(est.Get("encoded_missing_value")) ?? double.NaN;
        if (est.Get("_missing_indices") is Pickle.PyDict missing)
        {
            foreach (var (k, v) in missing.Entries)
            {
                if (k is not long feature || v is not long category || feature < 0 || feature >= _categories.Length)
                {
                    throw est.WrongType("_missing_indices", $"a dict from feature index (below {_categories.Length}) to category index");
                }

                _missingIndex[(int)feature] = (int)category;
            }
        }
    }

    /// <inheritdoc />
    public int? InputCount => _categories.Length;

    /// <inheritdoc />
    public int? OutputCount => _categories.Length;

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        LinearFunction.CheckFeatures(x, _categories.Length);
        var n = x.Rows;
        var d = _categories.Length;
        var result = new double[n * d];
        for (var j = 0; j < d; j++)
        {
            var col = x.Column(j);
            for (var i = 0; i < n; i++)
            {
                var k = _categories[j].Find(col, i);
                double v;
                if (k < 0)
                {
                    v = _unknownValue ?? throw InferenceException.InvalidInput(
                        $"Found unknown categories [{CategoryLookup.Describe(col, i)}] in column {j} during transform");
                }
                else
                {
                    v = _missingIndex.TryGetValue(j, out var mi) && mi == k ? _encodedMissing : k;
                }

                result[i * d + j] = v;
            }
        }

        return FeatureFrame.FromMatrix(result, n, d);
    }
}
