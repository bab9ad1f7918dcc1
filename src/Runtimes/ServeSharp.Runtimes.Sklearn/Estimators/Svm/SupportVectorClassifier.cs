using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Svm;

/// <summary>
/// SVC / NuSVC: predict by libsvm's one-vs-one vote (or, with break_ties and decision_function_shape='ovr', by the
/// argmax of the ovr-transformed decision function); predict_proba when fitted with probability=True.
/// </summary>
public sealed class SupportVectorClassifier : IPredictor
{
    private readonly LibSvmModel _svm;
    private readonly ClassLabels _classes;
    private readonly bool _breakTiesOvr;
    private readonly bool _probability;

    /// <summary>Reads the fitted attributes.</summary>
    public SupportVectorClassifier(SkObject est)
    {
        _classes = new ClassLabels(est.Array("classes_"), est.ClassName);
        _svm = new LibSvmModel(est, _classes.Count);
        if (_classes.Count < 2)
        {
            throw est.WrongType("classes_", "at least 2 classes");
        }

        if (!_svm.SupportCountsFitClasses)
        {
            throw est.WrongType("_n_support", $"support-vector counts for {_classes.Count} classes adding up to {_svm.SupportCount}");
        }

        var breakTies = est.Bool("break_ties");
        var shape = est.StringOrNull("decision_function_shape");
        if (breakTies && shape == "ovo")
        {
            throw est.Unsupported("break_ties with decision_function_shape='ovo' (scikit-learn refuses it too)");
        }

        _breakTiesOvr = breakTies && shape == "ovr" && _classes.Count > 2;
        _probability = est.Bool("probability") && _svm.HasProbability;
    }

    /// <inheritdoc />
    public int? FeatureCount => _svm.Features;

    /// <inheritdoc />
    public bool HasPredictProba => _probability;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        _svm.CheckFeatures(x);
        var m = x.ToMatrix();
        var d = _svm.Features;
        var k = _classes.Count;
        var dec = new double[k * (k - 1) / 2];
        var kernel = new double[_svm.SupportCount];
        var idx = new int[x.Rows];
        var ovr = new double[k];
        for (var i = 0; i < x.Rows; i++)
        {
            var vote = _svm.DecisionValues(m.AsSpan(i * d, d), dec, kernel);
            idx[i] = _breakTiesOvr ? OvrArgMax(dec, ovr) : vote;
        }

        return _classes.Take(idx, outputName);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes)
    {
        _svm.CheckFeatures(x);
        var m = x.ToMatrix();
        var d = _svm.Features;
        classes = _classes.Count;
        var result = new double[x.Rows * classes];
        var kernel = new double[_svm.SupportCount];
        for (var i = 0; i < x.Rows; i++)
        {
            _svm.Probability(m.AsSpan(i * d, d), result.AsSpan(i * classes, classes), kernel);
        }

        return result;
    }

    // sklearn.utils.multiclass._ovr_decision_function(dec < 0, -dec, n_classes), then argmax.
    private int OvrArgMax(double[] dec, double[] scores)
    {
        var k = _classes.Count;
        Span<double> votes = stackalloc double[k];
        Span<double> confidence = stackalloc double[k];
        var p = 0;
        for (var i = 0; i < k; i++)
        {
            for (var j = i + 1; j < k; j++)
            {
                var c = -dec[p];
                confidence[i] -= c;
                confidence[j] += c;
                if (dec[p] < 0)
                {
                    votes[j] += 1;
                }
                else
                {
                    votes[i] += 1;
                }

                p++;
            }
        }

        for (var i = 0; i < k; i++)
        {
            scores[i] = votes[i] + confidence[i] / (3 * (Math.Abs(confidence[i]) + 1));
        }

        return VectorMath.ArgMax(scores);
    }
}
