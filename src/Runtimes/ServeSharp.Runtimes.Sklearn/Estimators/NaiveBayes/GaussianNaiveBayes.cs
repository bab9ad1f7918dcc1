using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators.Linear;

namespace ServeSharp.Runtimes.Sklearn.Estimators.NaiveBayes;

/// <summary>
/// sklearn.naive_bayes.GaussianNB: joint log likelihood
/// <c>log(prior) − ½Σlog(2π var) − ½Σ(x − θ)²/var</c>; predict = argmax; predict_proba = exp(jll − logsumexp(jll)).
/// </summary>
public sealed class GaussianNaiveBayes : IPredictor
{
    private readonly ClassLabels _classes;
    private readonly double[] _theta;
    private readonly double[] _var;
    private readonly double[] _logPrior;
    private readonly double[] _logNorm;
    private readonly int _features;

    /// <summary>Reads the fitted attributes.</summary>
    public GaussianNaiveBayes(SkObject est)
    {
        _classes = new ClassLabels(est.Array("classes_"), est.ClassName);
        var theta = est.Array("theta_");
        if (theta.Rank != 2 || _classes.Count == 0 || theta.Shape[0] != _classes.Count)
        {
            throw est.WrongType("theta_", $"a 2-D array with a row for each of the {_classes.Count} classes");
        }

        _features = (int)theta.Shape[1];
        _theta = theta.ToDoubles();
        _var = est.Array("var_").ToDoubles();
        if (_var.Length != _theta.Length)
        {
            throw est.WrongType("var_", $"{_theta.Length} values, one for each of theta_'s");
        }

        _logPrior = est.Array("class_prior_").ToDoubles().Select(v => Math.Log(v)).ToArray();
        if (_logPrior.Length != _classes.Count)
        {
            throw est.WrongType("class_prior_", $"{_classes.Count} values, one for each class");
        }
        _logNorm = new double[_classes.Count];
        for (var c = 0; c < _classes.Count; c++)
        {
            double s = 0;
            for (var j = 0; j < _features; j++)
            {
                s += Math.Log(2.0 * Math.PI * _var[c * _features + j]);
            }

            _logNorm[c] = -0.5 * s;
        }
    }

    /// <inheritdoc />
    public int? FeatureCount => _features;

    /// <inheritdoc />
    public bool HasPredictProba => true;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        var jll = JointLogLikelihood(x);
        var k = _classes.Count;
        var idx = new int[x.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            idx[i] = VectorMath.ArgMax(jll.AsSpan(i * k, k));
        }

        return _classes.Take(idx, outputName);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes)
    {
        var jll = JointLogLikelihood(x);
        classes = _classes.Count;
        for (var i = 0; i < x.Rows; i++)
        {
            var row = jll.AsSpan(i * classes, classes);
            var lse = VectorMath.LogSumExp(row);
            for (var c = 0; c < classes; c++)
            {
                row[c] = Math.Exp(row[c] - lse);
            }
        }

        return jll;
    }

    private double[] JointLogLikelihood(FeatureFrame x)
    {
        LinearFunction.CheckFeatures(x, _features);
        var m = x.ToMatrix();
        var k = _classes.Count;
        var d = _features;
        var jll = new double[x.Rows * k];
        for (var i = 0; i < x.Rows; i++)
        {
            for (var c = 0; c < k; c++)
            {
                double s = 0;
                for (var j = 0; j < d; j++)
                {
                    var diff = m[i * d + j] - _theta[c * d + j];
                    s += diff * diff / _var[c * d + j];
                }

                var nij = _logNorm[c] - 0.5 * s;
                jll[i * k + c] = _logPrior[c] + nij;
            }
        }

        return jll;
    }
}
