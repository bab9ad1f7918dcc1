using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators.Linear;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Neighbors;

/// <summary>
/// KNeighborsClassifier / KNeighborsRegressor: the k nearest training samples vote (uniform or 1/distance weights;
/// ties go to the smallest class index, like scipy's mode) or are averaged.
/// </summary>
public sealed class KNeighbors : IPredictor
{
    private readonly NeighborSearch _search;
    private readonly int _k;
    private readonly bool _distanceWeights;
    private readonly ClassLabels? _classes;
    private readonly long[]? _yIndex;
    private readonly double[]? _yValues;
    private readonly int _targets = 1;

    /// <summary>Reads the fitted attributes.</summary>
    public KNeighbors(SkObject est, bool classifier)
    {
        _search = new NeighborSearch(est);
        _k = (int)est.Long("n_neighbors");
        if (_k < 1 || _k > _search.Samples)
        {
            throw est.WrongType("n_neighbors", $"between 1 and the {_search.Samples} training samples");
        }

        _distanceWeights = est.Get("weights") switch
        {
            "uniform" or null => false,
            "distance" => true,
            _ => throw est.Unsupported("callable weights"),
        };
        var y = est.Array("_y");
        if (classifier)
        {
            if (est.Bool("outputs_2d_"))
            {
                throw est.Unsupported("multi-output classification");
            }

            _classes = new ClassLabels(est.Array("classes_"), est.ClassName);
            _yIndex = y.ToLongs();
        }
        else
        {
            _yValues = y.ToDoubles();
            _targets = y.Rank == 2 ? (int)y.Shape[1] : 1;
            Ravel = y.Rank == 1;
        }
    }

    private bool Ravel { get; } = true;

    /// <inheritdoc />
    public int? FeatureCount => _search.Features;

    /// <inheritdoc />
    public bool HasPredictProba => _classes is not null;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        if (_classes is null)
        {
            return Tensor.Create(outputName, Ravel ? [x.Rows] : [x.Rows, _targets], Regress(x));
        }

        var p = PredictProba(x, out var classes);
        var idx = new int[x.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            idx[i] = VectorMath.ArgMax(p.AsSpan(i * classes, classes));
        }

        return _classes.Take(idx, outputName);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes)
    {
        LinearFunction.CheckFeatures(x, _search.Features);
        classes = _classes!.Count;
        var m = x.ToMatrix();
        var d = _search.Features;
        var idx = new int[_k];
        var dist = new double[_k];
        var w = new double[_k];
        var proba = new double[x.Rows * classes];
        for (var i = 0; i < x.Rows; i++)
        {
            _search.Query(m.AsSpan(i * d, d), idx, dist);
            Weights(dist, w);
            var row = proba.AsSpan(i * classes, classes);
            for (var n = 0; n < _k; n++)
            {
                row[(int)_yIndex![idx[n]]] += w[n];
            }

            double sum = 0;
            foreach (var v in row)
            {
                sum += v;
            }

            if (sum == 0)
            {
                sum = 1;
            }

            for (var c = 0; c < classes; c++)
            {
                row[c] /= sum;
            }
        }

        return proba;
    }

    private double[] Regress(FeatureFrame x)
    {
        LinearFunction.CheckFeatures(x, _search.Features);
        var m = x.ToMatrix();
        var d = _search.Features;
        var idx = new int[_k];
        var dist = new double[_k];
        var w = new double[_k];
        var t = _targets;
        var y = new double[x.Rows * t];
        for (var i = 0; i < x.Rows; i++)
        {
            _search.Query(m.AsSpan(i * d, d), idx, dist);
            Weights(dist, w);
            for (var o = 0; o < t; o++)
            {
                double num = 0, den = 0;
                for (var n = 0; n < _k; n++)
                {
                    var v = _yValues![idx[n] * t + o];
                    num += _distanceWeights ? v * w[n] : v;
                    den += w[n];
                }

                y[i * t + o] = _distanceWeights ? num / den : num / _k;
            }
        }

        return y;
    }

    // _get_weights: uniform → ones; distance → 1/d, and a row with an exact match gives weight 1 to the matches only.
    private void Weights(double[] dist, double[] w)
    {
        if (!_distanceWeights)
        {
            Array.Fill(w, 1.0);
            return;
        }

        var anyZero = false;
        for (var n = 0; n < dist.Length; n++)
        {
            w[n] = 1.0 / dist[n];
            anyZero |= double.IsInfinity(w[n]);
        }

        if (anyZero)
        {
            for (var n = 0; n < dist.Length; n++)
            {
                w[n] = double.IsInfinity(w[n]) ? 1.0 : 0.0;
            }
        }
    }
}
