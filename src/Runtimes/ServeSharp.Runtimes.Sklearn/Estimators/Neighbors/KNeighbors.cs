using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators.Linear;
using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Neighbors;

/// <summary>
/// KNeighborsClassifier / KNeighborsRegressor: the k nearest training samples vote (uniform or 1/distance weights;
/// ties go to the smallest class index, like scipy's mode and weighted_mode) or are averaged. Fitted on a 2-D y,
/// every output votes (or is averaged) separately: [rows, n_outputs].
/// </summary>
public sealed class KNeighbors : IPredictor
{
    private readonly NeighborSearch _search;
    private readonly int _k;
    private readonly bool _distanceWeights;
    private readonly ClassLabels[]? _classes;
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
        if (y.Rank is not (1 or 2) || y.Shape[0] != _search.Samples)
        {
            throw est.WrongType("_y", $"a 1-D or 2-D array with a row for each of the {_search.Samples} training samples");
        }

        if (classifier)
        {
            _classes = est.Bool("outputs_2d_")
                ? est.List("classes_").Select(c => new ClassLabels(c as NdArray ?? throw est.WrongType("classes_", "a list of arrays"), est.ClassName)).ToArray()
                : [new ClassLabels(est.Array("classes_"), est.ClassName)];
            _targets = _classes.Length;
            if ((_targets > 1 ? y.Rank != 2 || y.Shape[1] != _targets : y.Count != _search.Samples) || _classes.Any(c => c.DataType != _classes[0].DataType))
            {
                throw est.WrongType("_y", $"class indices for {_targets} outputs of one label type");
            }

            _yIndex = y.ToLongs();
            for (var i = 0; i < _yIndex.Length; i++)
            {
                if (_yIndex[i] < 0 || _yIndex[i] >= _classes[i % _targets].Count)
                {
                    throw est.WrongType("_y", "class indices within classes_");
                }
            }
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
    /// <remarks>A multi-output classifier's predict_proba is a list of arrays, which no response tensor holds.</remarks>
    public bool HasPredictProba => _classes is not null && _targets == 1;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        if (_classes is null)
        {
            return Tensor.Create(outputName, Ravel ? [x.Rows] : [x.Rows, _targets], Regress(x));
        }

        // sklearn's predict takes the (weighted) mode of the raw votes; the first largest is the smallest class.
        var votes = Votes(x);
        var perOutput = new Tensor[_targets];
        for (var o = 0; o < _targets; o++)
        {
            var idx = new int[x.Rows];
            for (var i = 0; i < x.Rows; i++)
            {
                idx[i] = VectorMath.ArgMax(votes[o].AsSpan(i * _classes[o].Count, _classes[o].Count));
            }

            perOutput[o] = _classes[o].Take(idx, outputName);
        }

        return _targets == 1 ? perOutput[0] : TensorRows.SideBySide(perOutput, x.Rows, outputName);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes)
    {
        if (!HasPredictProba)
        {
            throw new NotSupportedException("predict_proba of a multi-output classifier is a list of arrays");
        }

        classes = _classes![0].Count;
        var proba = Votes(x)[0];
        for (var i = 0; i < x.Rows; i++)
        {
            var row = proba.AsSpan(i * classes, classes);
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

    // Per output, [rows, classes] sums of the neighbours' weights per class, in neighbour order.
    private double[][] Votes(FeatureFrame x)
    {
        LinearFunction.CheckFeatures(x, _search.Features);
        var m = x.ToMatrix();
        var d = _search.Features;
        var idx = new int[_k];
        var dist = new double[_k];
        var w = new double[_k];
        var labels = _classes!;
        var votes = labels.Select(c => new double[x.Rows * c.Count]).ToArray();
        for (var i = 0; i < x.Rows; i++)
        {
            _search.Query(m.AsSpan(i * d, d), idx, dist);
            Weights(dist, w);
            for (var o = 0; o < _targets; o++)
            {
                var classes = labels[o].Count;
                var row = votes[o].AsSpan(i * classes, classes);
                for (var n = 0; n < _k; n++)
                {
                    row[(int)_yIndex![idx[n] * _targets + o]] += w[n];
                }
            }
        }

        return votes;
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
