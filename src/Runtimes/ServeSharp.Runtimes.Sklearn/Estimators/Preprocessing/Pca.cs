using ServeSharp.Runtimes.Sklearn.Estimators.Linear;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;

/// <summary>sklearn.decomposition.PCA.transform: <c>(X - mean_) @ components_.T</c>, divided by sqrt(explained_variance_) when whitening.</summary>
public sealed class Pca : ITransformer
{
    private readonly double[]? _mean;
    private readonly double[] _components;
    private readonly double[]? _whitenScale;
    private readonly int _features;
    private readonly int _outputs;

    /// <summary>Reads the fitted attributes.</summary>
    public Pca(SkObject est)
    {
        var comps = est.Array("components_");
        if (comps.Rank != 2)
        {
            throw est.WrongType("components_", "a 2-D array");
        }

        _components = comps.ToDoubles();
        _outputs = (int)comps.Shape[0];
        _features = (int)comps.Shape[1];
        _mean = est.Array("mean_").ToDoubles();
        if (_mean.Length != _features)
        {
            throw est.WrongType("mean_", $"{_features} values, one for each column of components_");
        }

        if (est.Bool("whiten"))
        {
            _whitenScale = est.Array("explained_variance_").ToDoubles().Select(Math.Sqrt).ToArray();
            if (_whitenScale.Length != _outputs)
            {
                throw est.WrongType("explained_variance_", $"{_outputs} values, one for each row of components_");
            }
        }
    }

    /// <inheritdoc />
    public int? InputCount => _features;

    /// <inheritdoc />
    public int? OutputCount => _outputs;

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        LinearFunction.CheckFeatures(x, _features);
        var m = x.ToMatrix();
        var d = _features;
        var centered = new double[d];
        var result = new double[x.Rows * _outputs];
        for (var i = 0; i < x.Rows; i++)
        {
            for (var j = 0; j < d; j++)
            {
                centered[j] = _mean is null ? m[i * d + j] : m[i * d + j] - _mean[j];
            }

            for (var k = 0; k < _outputs; k++)
            {
                var v = VectorMath.Dot(centered, _components.AsSpan(k * d, d));
                result[i * _outputs + k] = _whitenScale is null ? v : v / _whitenScale[k];
            }
        }

        return FeatureFrame.FromMatrix(result, x.Rows, _outputs);
    }
}
