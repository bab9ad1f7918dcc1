using ServeSharp.Runtimes.Sklearn.Estimators.Linear;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;

/// <summary>
/// The per-column scalers, each applying numpy's in-place operations in scikit-learn's order:
/// StandardScaler (<c>X -= mean_; X /= scale_</c>), RobustScaler (<c>X -= center_; X /= scale_</c>),
/// MaxAbsScaler (<c>X /= scale_</c>), MinMaxScaler (<c>X *= scale_; X += min_</c>, optional clip).
/// </summary>
public sealed class ColumnwiseAffine : ITransformer
{
    private readonly double[]? _subtract;
    private readonly double[]? _divide;
    private readonly double[]? _multiply;
    private readonly double[]? _add;
    private readonly (double Low, double High)? _clip;
    private readonly int _features;

    /// <summary>Reads the fitted attributes of one of the four scalers.</summary>
    public ColumnwiseAffine(SkObject est)
    {
        switch (est.ShortName)
        {
            case "StandardScaler":
                _subtract = est.Bool("with_mean") ? est.Array("mean_").ToDoubles() : null;
                _divide = est.Bool("with_std") ? est.Array("scale_").ToDoubles() : null;
                break;
            case "RobustScaler":
                _subtract = est.Bool("with_centering") ? est.Array("center_").ToDoubles() : null;
                _divide = est.Bool("with_scaling") ? est.Array("scale_").ToDoubles() : null;
                break;
            case "MaxAbsScaler":
                _divide = est.Array("scale_").ToDoubles();
                break;
            case "MinMaxScaler":
                _multiply = est.Array("scale_").ToDoubles();
                _add = est.Array("min_").ToDoubles();
                if (est.Bool("clip"))
                {
                    var range = est.List("feature_range");
                    if (range.Count != 2)
                    {
                        throw est.WrongType("feature_range", "a (min, max) pair");
                    }

                    _clip = (SkObject.ToDouble(range[0]) ?? 0, SkObject.ToDouble(range[1]) ?? 1);
                }

                break;
            default:
                throw est.Unsupported("this scaler");
        }

        _features = (_subtract ?? _divide ?? _multiply ?? [.. Array.Empty<double>()]).Length;
        if (_features == 0)
        {
            _features = (int)est.Long("n_features_in_");
        }

        foreach (var (values, name) in new[] { (_subtract, "mean_ or center_"), (_divide, "scale_"), (_multiply, "scale_"), (_add, "min_") })
        {
            if (values is not null && values.Length != _features)
            {
                throw new SklearnModelException(
                    $"{est.ClassName}: its {name} holds {values.Length} values where the scaler's other arrays hold {_features}, one per feature (file written by scikit-learn {est.Version})");
            }
        }
    }

    /// <inheritdoc />
    public int? InputCount => _features;

    /// <inheritdoc />
    public int? OutputCount => _features;

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        LinearFunction.CheckFeatures(x, _features);
        var m = (double[])x.ToMatrix().Clone();
        var d = _features;
        for (var i = 0; i < x.Rows; i++)
        {
            var row = m.AsSpan(i * d, d);
            for (var j = 0; j < d; j++)
            {
                var v = row[j];
                if (_subtract is not null)
                {
                    v -= _subtract[j];
                }

                if (_divide is not null)
                {
                    v /= _divide[j];
                }

                if (_multiply is not null)
                {
                    v *= _multiply[j];
                    v += _add![j];
                }

                if (_clip is { } c)
                {
                    v = Math.Min(Math.Max(v, c.Low), c.High);
                }

                row[j] = v;
            }
        }

        return FeatureFrame.FromMatrix(m, x.Rows, d);
    }
}
