using ServeSharp.Runtimes.Sklearn.Estimators.Linear;


namespace ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;

/// <summary>
/// sklearn.impute.SimpleImputer: missing entries replaced by <c>statistics_</c>; columns whose statistic is NaN are
/// dropped (unless strategy is constant or keep_empty_features); with add_indicator, the MissingIndicator columns
/// (1.0 / 0.0) are appended.
/// </summary>
public sealed class SimpleImputer : ITransformer
{
    private readonly double[]? _stats;
    private readonly string?[]? _textStats;
    private readonly double _missing;
    private readonly int[]? _keep;
    private readonly int[]? _indicatorFeatures;
    private readonly int _features;

    /// <summary>Reads the fitted attributes.</summary>
    public SimpleImputer(SkObject est)
    {
        _features = (int)est.Long("n_features_in_");
        var statistics = est.Array("statistics_");
        var missing = est.Get("missing_values");
        _missing = missing is null ? double.NaN : SkObject.ToDouble(missing) ?? throw est.Unsupported($"missing_values {missing}");
        if (statistics.Count != _features)
        {
            throw est.WrongType("statistics_", $"one statistic per feature ({_features})");
        }

        if (statistics.DType.Kind is 'O' or 'U')
        {
            _textStats = statistics.ToObjects().Select(o => o?.ToString()).ToArray();
        }
        else
        {
            _stats = statistics.ToDoubles();
            var strategy = est.String("strategy");
            if (strategy != "constant" && !est.Bool("keep_empty_features") && _stats.Any(double.IsNaN))
            {
                _keep = Enumerable.Range(0, _stats.Length).Where(j => !double.IsNaN(_stats[j])).ToArray();
            }
        }

        if (est.Bool("add_indicator"))
        {
            var indicator = est.Object("indicator_");
            if (indicator.String("features") != "missing-only")
            {
                throw indicator.Unsupported("features='all'");
            }

            var features = indicator.Array("features_").ToLongs();
            if (features.Any(f => f < 0 || f >= _features))
            {
                throw indicator.WrongType("features_", $"feature indices below {_features}");
            }

            _indicatorFeatures = features.Select(v => (int)v).ToArray();
        }
    }

    /// <inheritdoc />
    public int? InputCount => _features;

    /// <inheritdoc />
    public int? OutputCount => _textStats is not null ? _features : (_keep?.Length ?? _features) + (_indicatorFeatures?.Length ?? 0);

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        LinearFunction.CheckFeatures(x, _features);
        if (_textStats is not null)
        {
            return TransformText(x);
        }

        var n = x.Rows;
        var d = _features;
        var m = x.ToMatrix();
        var keep = _keep ?? Enumerable.Range(0, d).ToArray();
        var extra = _indicatorFeatures?.Length ?? 0;
        var w = keep.Length + extra;
        var result = new double[n * w];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < keep.Length; k++)
            {
                var v = m[i * d + keep[k]];
                result[i * w + k] = IsMissing(v) ? _stats![keep[k]] : v;
            }

            for (var k = 0; k < extra; k++)
            {
                result[i * w + keep.Length + k] = IsMissing(m[i * d + _indicatorFeatures![k]]) ? 1.0 : 0.0;
            }
        }

        return FeatureFrame.FromMatrix(result, n, w);
    }

    private bool IsMissing(double v) => double.IsNaN(_missing) ? double.IsNaN(v) : v == _missing;

    private FeatureFrame TransformText(FeatureFrame x)
    {
        if (_indicatorFeatures is not null)
        {
            throw new NotSupportedException("add_indicator with text columns");
        }

        var cols = new List<FeatureColumn>();
        for (var j = 0; j < x.Columns; j++)
        {
            var c = x.Column(j);
            var texts = c.Texts ?? c.Numbers!.Select(v => double.IsNaN(v) ? null : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            cols.Add(FeatureColumn.Of(texts.Select(t => t ?? _textStats![j]).ToArray()));
        }

        return FeatureFrame.FromColumns(cols, x.Names);
    }
}
