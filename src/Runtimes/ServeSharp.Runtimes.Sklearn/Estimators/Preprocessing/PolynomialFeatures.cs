using ServeSharp.Runtimes.Sklearn.Estimators.Linear;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;

/// <summary>
/// sklearn.preprocessing.PolynomialFeatures (dense): the same column-block recurrence as scikit-learn 1.2, so
/// every product is formed in the same order and rounds the same way.
/// </summary>
public sealed class PolynomialFeatures : ITransformer
{
    private readonly int _features;
    private readonly int _minDegree;
    private readonly int _maxDegree;
    private readonly bool _interactionOnly;
    private readonly bool _includeBias;
    private readonly int _outFull;
    private readonly int _out;

    /// <summary>Reads the fitted attributes.</summary>
    public PolynomialFeatures(SkObject est)
    {
        _features = (int)est.Long("n_features_in_");
        _minDegree = (int)est.Long("_min_degree");
        _maxDegree = (int)est.Long("_max_degree");
        _interactionOnly = est.Bool("interaction_only");
        _includeBias = est.Bool("include_bias");
        _outFull = (int)est.Long("_n_out_full");
        _out = (int)est.Long("n_output_features_");
        if (_features < 0 || _minDegree < 0 || _maxDegree < _minDegree)
        {
            throw est.WrongType("_max_degree", $"a degree range {_minDegree}..{_maxDegree} over {_features} features that scikit-learn can fit");
        }

        if (_outFull != Combinations(0) || _out != Combinations(_minDegree))
        {
            throw est.WrongType(
                "_n_out_full", $"{Combinations(0)} columns ({Combinations(_minDegree)} kept) for {_features} features and degrees {_minDegree}..{_maxDegree}");
        }
    }

    // PolynomialFeatures._num_combinations of scikit-learn 1.2: how many output columns degrees minDegree.._maxDegree give.
    private long Combinations(int minDegree)
    {
        long count;
        if (_interactionOnly)
        {
            count = 0;
            for (var i = Math.Max(1, minDegree); i <= Math.Min(_maxDegree, _features); i++)
            {
                count = checked(count + Binomial(_features, i));
            }
        }
        else
        {
            count = checked(Binomial((long)_features + _maxDegree, _maxDegree) - 1);
            if (minDegree > 0)
            {
                count -= Binomial((long)_features + minDegree - 1, minDegree - 1) - 1;
            }
        }

        return _includeBias ? count + 1 : count;
    }

    // C(n, k), exact; the loop runs min(k, n - k) times, so a huge degree in a damaged file costs nothing.
    private static long Binomial(long n, long k)
    {
        k = Math.Min(k, n - k);
        long result = 1;
        for (long i = 1; i <= k; i++)
        {
            result = checked(result * (n - k + i)) / i;
        }

        return result;
    }

    /// <inheritdoc />
    public int? InputCount => _features;

    /// <inheritdoc />
    public int? OutputCount => _out;

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        LinearFunction.CheckFeatures(x, _features);
        var n = x.Rows;
        var d = _features;
        var xm = x.ToMatrix();
        var w = _outFull;
        var xp = new double[n * w];
        var current = 0;
        if (_includeBias)
        {
            for (var i = 0; i < n; i++)
            {
                xp[i * w] = 1;
            }

            current = 1;
        }

        if (_maxDegree > 0)
        {
            for (var i = 0; i < n; i++)
            {
                Array.Copy(xm, i * d, xp, i * w + current, d);
            }

            var index = Enumerable.Range(current, d).ToList();
            current += d;
            index.Add(current);
            for (var degree = 2; degree <= _maxDegree; degree++)
            {
                var newIndex = new List<int>();
                var end = index[^1];
                for (var f = 0; f < d; f++)
                {
                    var start = index[f];
                    newIndex.Add(current);
                    if (_interactionOnly)
                    {
                        start += index[f + 1] - index[f];
                    }

                    var next = current + end - start;
                    if (next <= current)
                    {
                        break;
                    }

                    for (var i = 0; i < n; i++)
                    {
                        var xv = xm[i * d + f];
                        for (var c = 0; c < end - start; c++)
                        {
                            xp[i * w + current + c] = xp[i * w + start + c] * xv;
                        }
                    }

                    current = next;
                }

                newIndex.Add(current);
                index = newIndex;
            }
        }

        if (_minDegree <= 1)
        {
            return FeatureFrame.FromMatrix(xp, n, w);
        }

        // Drop the low-degree block, keeping the bias column.
        var result = new double[n * _out];
        for (var i = 0; i < n; i++)
        {
            if (_includeBias)
            {
                result[i * _out] = 1;
                Array.Copy(xp, i * w + w - _out + 1, result, i * _out + 1, _out - 1);
            }
            else
            {
                Array.Copy(xp, i * w + w - _out, result, i * _out, _out);
            }
        }

        return FeatureFrame.FromMatrix(result, n, _out);
    }
}
