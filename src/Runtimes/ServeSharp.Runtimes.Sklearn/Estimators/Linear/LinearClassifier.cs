using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Linear;

/// <summary>
/// LogisticRegression, SGDClassifier, LinearSVC, RidgeClassifier, Perceptron: decision = <c>X @ coef_.T + intercept_</c>;
/// predict = argmax (or <c>decision &gt; 0</c> for two classes); predict_proba per the estimator's rule.
/// </summary>
public sealed class LinearClassifier : IPredictor
{
    private readonly LinearFunction _f;
    private readonly ClassLabels _classes;
    private readonly ProbabilityRule _rule;

    /// <summary>Reads the fitted attributes.</summary>
    public LinearClassifier(SkObject est)
    {
        _f = new LinearFunction(est);
        _classes = new ClassLabels(est.Array("classes_"), est.ClassName);
        _rule = est.ShortName switch
        {
            "LogisticRegression" => IsOvr(est) ? ProbabilityRule.OneVsRest : ProbabilityRule.Softmax,
            "SGDClassifier" => est.Get("loss") switch
            {
                "log_loss" or "log" => ProbabilityRule.OneVsRest,
                "modified_huber" => ProbabilityRule.ModifiedHuber,
                _ => ProbabilityRule.None,
            },
            _ => ProbabilityRule.None,
        };
        if (_classes.Count < 2)
        {
            throw est.WrongType("classes_", "at least 2 classes");
        }

        if (_f.Outputs != _classes.DecisionColumns)
        {
            throw est.WrongType("coef_", $"{_classes.DecisionColumns} rows for {_classes.Count} classes");
        }
    }

    private enum ProbabilityRule
    {
        None,
        Softmax,
        OneVsRest,
        ModifiedHuber,
    }

    /// <inheritdoc />
    public int? FeatureCount => _f.Features;

    /// <inheritdoc />
    public bool HasPredictProba => _rule != ProbabilityRule.None;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        var scores = _f.Evaluate(x);
        var k = _f.Outputs;
        var idx = new int[x.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            idx[i] = k == 1 ? (scores[i] > 0 ? 1 : 0) : VectorMath.ArgMax(scores.AsSpan(i * k, k));
        }

        return _classes.Take(idx, outputName);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes)
    {
        var scores = _f.Evaluate(x);
        var k = _f.Outputs;
        classes = _classes.Count;
        var n = x.Rows;
        var p = new double[n * classes];
        for (var i = 0; i < n; i++)
        {
            var row = p.AsSpan(i * classes, classes);
            var s = scores.AsSpan(i * k, k);
            switch (_rule)
            {
                case ProbabilityRule.Softmax when k == 1:
                    row[0] = -s[0];
                    row[1] = s[0];
                    VectorMath.SoftmaxInPlace(row);
                    break;
                case ProbabilityRule.Softmax:
                    s.CopyTo(row);
                    VectorMath.SoftmaxInPlace(row);
                    break;
                case ProbabilityRule.OneVsRest when k == 1:
                    var e = VectorMath.Expit(s[0]);
                    row[0] = 1 - e;
                    row[1] = e;
                    break;
                case ProbabilityRule.OneVsRest:
                    double sum = 0;
                    for (var c = 0; c < k; c++)
                    {
                        row[c] = VectorMath.Expit(s[c]);
                        sum += row[c];
                    }

                    for (var c = 0; c < k; c++)
                    {
                        row[c] /= sum;
                    }

                    break;
                case ProbabilityRule.ModifiedHuber:
                    ModifiedHuber(s, row);
                    break;
                default:
                    throw new InvalidOperationException("this estimator has no predict_proba");
            }
        }

        return p;
    }

    // SGDClassifier._predict_proba for loss="modified_huber": (clip(decision, -1, 1) + 1) / 2, then normalised.
    private static void ModifiedHuber(ReadOnlySpan<double> s, Span<double> row)
    {
        if (s.Length == 1)
        {
            var p = (Math.Clamp(s[0], -1, 1) + 1.0) / 2.0;
            row[1] = p;
            row[0] = 1.0 - p;
            return;
        }

        double sum = 0;
        for (var c = 0; c < s.Length; c++)
        {
            row[c] = (Math.Clamp(s[c], -1, 1) + 1.0) / 2.0;
            sum += row[c];
        }

        if (sum == 0)
        {
            row.Fill(1.0 / s.Length);
            return;
        }

        for (var c = 0; c < s.Length; c++)
        {
            row[c] /= sum;
        }
    }

    private static bool IsOvr(SkObject est)
    {
        var multi = est.String("multi_class");
        var solver = est.String("solver");
        return multi is "ovr" or "warn"
            || (multi == "auto" && (est.Array("classes_").Count <= 2 || solver is "liblinear" or "newton-cholesky"));
    }
}
