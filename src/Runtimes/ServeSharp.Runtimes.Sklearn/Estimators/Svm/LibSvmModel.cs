using ServeSharp.Runtimes.Sklearn.Estimators.Linear;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Svm;

/// <summary>
/// The libsvm model scikit-learn keeps in an SVC / NuSVC / SVR / NuSVR (<c>support_vectors_</c>, <c>_dual_coef_</c>,
/// <c>_intercept_</c> = −rho, <c>_n_support</c>, <c>_probA</c>/<c>_probB</c>) and libsvm's dense prediction code:
/// <c>svm_predict_values</c> (one-vs-one votes) and <c>svm_predict_probability</c> (Platt scaling + pairwise coupling).
/// </summary>
internal sealed class LibSvmModel
{
    private readonly double[] _sv;
    private readonly double[] _coef;
    private readonly double[] _rho;
    private readonly int[] _nSupport;
    private readonly int[] _start;
    private readonly double[] _probA;
    private readonly double[] _probB;
    private readonly string _kernel;
    private readonly double _gamma;
    private readonly double _coef0;
    private readonly int _degree;

    public LibSvmModel(SkObject est, int classes)
    {
        // A model fitted on sparse data keeps support_vectors_ and _dual_coef_ as CSR matrices; libsvm's sparse
        // kernels visit the same non-zero terms in the same order as the dense ones, so the dense code gives the
        // same values.
        _kernel = est.Get("kernel") as string ?? throw est.Unsupported("a callable kernel");
        if (_kernel is not ("linear" or "poly" or "rbf" or "sigmoid"))
        {
            throw est.Unsupported($"kernel '{_kernel}'");
        }

        var sv = est.DenseMatrix("support_vectors_");
        if (sv.Rank != 2)
        {
            throw est.WrongType("support_vectors_", "a 2-D array");
        }

        _sv = sv.ToDoubles();
        SupportCount = (int)sv.Shape[0];
        Features = (int)sv.Shape[1];
        _coef = est.DenseMatrix("_dual_coef_").ToDoubles();
        _rho = est.Array("_intercept_").ToDoubles().Select(v => -v).ToArray();
        _nSupport = est.Array("_n_support").ToLongs().Select(v => (int)v).ToArray();
        _gamma = est.Double("_gamma");
        _coef0 = est.Double("coef0");
        _degree = (int)est.Long("degree");
        _probA = est.Array("_probA").ToDoubles();
        _probB = est.Array("_probB").ToDoubles();
        Classes = classes;
        _start = new int[Math.Max(classes, 1)];
        // Counts that do not fit the classes leave the starts at zero; the classifier refuses them
        // (SupportCountsFitClasses) with a message saying so.
        for (var i = 1; i < classes && i <= _nSupport.Length; i++)
        {
            _start[i] = _start[i - 1] + _nSupport[i - 1];
        }

        var pairs = classes * (classes - 1) / 2;
        if (classes >= 2 && (_rho.Length != pairs || _coef.Length != (classes - 1) * SupportCount))
        {
            throw est.WrongType("_dual_coef_", $"a libsvm model for {classes} classes");
        }

        if (classes >= 2 && HasProbability && (_probA.Length != pairs || _probB.Length != pairs))
        {
            throw est.WrongType("_probA", $"one Platt pair per class pair ({pairs})");
        }
    }

    public int Features { get; }

    public int SupportCount { get; }

    public int Classes { get; }

    public bool HasProbability => _probA.Length > 0 && _probB.Length > 0;

    /// <summary>
    /// Whether <c>_n_support</c> splits the support vectors among the classes (one count per class, adding up to
    /// <see cref="SupportCount"/>): the one-vs-one votes index the vectors by it. Regressors keep other counts there.
    /// </summary>
    public bool SupportCountsFitClasses =>
        _nSupport.Length == Classes && _nSupport.All(n => n >= 0) && _nSupport.Sum(n => (long)n) == SupportCount;

    /// <summary>Kernel values of <paramref name="x"/> against every support vector.</summary>
    public void Kernel(ReadOnlySpan<double> x, Span<double> k)
    {
        var d = Features;
        for (var i = 0; i < SupportCount; i++)
        {
            var sv = _sv.AsSpan(i * d, d);
            k[i] = _kernel switch
            {
                "linear" => VectorMath.Dot(x, sv),
                "poly" => PowI(_gamma * VectorMath.Dot(x, sv) + _coef0, _degree),
                "sigmoid" => Math.Tanh(_gamma * VectorMath.Dot(x, sv) + _coef0),
                _ => Math.Exp(-_gamma * SquaredDistance(x, sv)),
            };
        }
    }

    /// <summary>One-vs-one decision values (libsvm order) and the voted class index.</summary>
    public int DecisionValues(ReadOnlySpan<double> x, Span<double> dec, Span<double> kernel)
    {
        Kernel(x, kernel);
        Span<int> votes = stackalloc int[Classes];
        var p = 0;
        for (var i = 0; i < Classes; i++)
        {
            for (var j = i + 1; j < Classes; j++)
            {
                double sum = 0;
                var si = _start[i];
                var sj = _start[j];
                var coef1 = _coef.AsSpan((j - 1) * SupportCount, SupportCount);
                var coef2 = _coef.AsSpan(i * SupportCount, SupportCount);
                for (var k = 0; k < _nSupport[i]; k++)
                {
                    sum += coef1[si + k] * kernel[si + k];
                }

                for (var k = 0; k < _nSupport[j]; k++)
                {
                    sum += coef2[sj + k] * kernel[sj + k];
                }

                sum -= _rho[p];
                dec[p] = sum;
                if (dec[p] > 0)
                {
                    votes[i]++;
                }
                else
                {
                    votes[j]++;
                }

                p++;
            }
        }

        var best = 0;
        for (var i = 1; i < Classes; i++)
        {
            if (votes[i] > votes[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Regression value: Σ coef·K − rho.</summary>
    public double Regress(ReadOnlySpan<double> x, Span<double> kernel)
    {
        Kernel(x, kernel);
        double sum = 0;
        for (var i = 0; i < SupportCount; i++)
        {
            sum += _coef[i] * kernel[i];
        }

        return sum - _rho[0];
    }

    /// <summary>libsvm svm_predict_probability.</summary>
    public void Probability(ReadOnlySpan<double> x, Span<double> prob, Span<double> kernel)
    {
        var k = Classes;
        Span<double> dec = stackalloc double[k * (k - 1) / 2];
        DecisionValues(x, dec, kernel);
        const double minProb = 1e-7;
        var r = new double[k, k];
        var p = 0;
        for (var i = 0; i < k; i++)
        {
            for (var j = i + 1; j < k; j++)
            {
                r[i, j] = Math.Min(Math.Max(SigmoidPredict(dec[p], _probA[p], _probB[p]), minProb), 1 - minProb);
                r[j, i] = 1 - r[i, j];
                p++;
            }
        }

        // scikit-learn's libsvm fork couples pairwise probabilities for two classes too (newer libsvm copies
        // r[0,1] directly); the iteration stops within eps, so the two differ in the 7th digit.
        MulticlassProbability(k, r, prob);
    }

    private static double SigmoidPredict(double decision, double a, double b)
    {
        var fApB = decision * a + b;
        return fApB >= 0 ? Math.Exp(-fApB) / (1.0 + Math.Exp(-fApB)) : 1.0 / (1 + Math.Exp(fApB));
    }

    // Wu, Lin and Weng's pairwise coupling, method 2, exactly as libsvm iterates it.
    private static void MulticlassProbability(int k, double[,] r, Span<double> p)
    {
        var maxIter = Math.Max(100, k);
        var q = new double[k, k];
        var qp = new double[k];
        var eps = 0.005 / k;
        for (var t = 0; t < k; t++)
        {
            p[t] = 1.0 / k;
            q[t, t] = 0;
            for (var j = 0; j < t; j++)
            {
                q[t, t] += r[j, t] * r[j, t];
                q[t, j] = q[j, t];
            }

            for (var j = t + 1; j < k; j++)
            {
                q[t, t] += r[j, t] * r[j, t];
                q[t, j] = -r[j, t] * r[t, j];
            }
        }

        for (var iter = 0; iter < maxIter; iter++)
        {
            double pQp = 0;
            for (var t = 0; t < k; t++)
            {
                qp[t] = 0;
                for (var j = 0; j < k; j++)
                {
                    qp[t] += q[t, j] * p[j];
                }

                pQp += p[t] * qp[t];
            }

            double maxError = 0;
            for (var t = 0; t < k; t++)
            {
                var error = Math.Abs(qp[t] - pQp);
                if (error > maxError)
                {
                    maxError = error;
                }
            }

            if (maxError < eps)
            {
                break;
            }

            for (var t = 0; t < k; t++)
            {
                var diff = (-qp[t] + pQp) / q[t, t];
                p[t] += diff;
                pQp = (pQp + diff * (diff * q[t, t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
                for (var j = 0; j < k; j++)
                {
                    qp[j] = (qp[j] + diff * q[t, j]) / (1 + diff);
                    p[j] /= 1 + diff;
                }
            }
        }
    }

    private static double PowI(double b, int times)
    {
        double tmp = b, ret = 1.0;
        for (var t = times; t > 0; t /= 2)
        {
            if (t % 2 == 1)
            {
                ret *= tmp;
            }

            tmp *= tmp;
        }

        return ret;
    }

    private static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }

    public void CheckFeatures(FeatureFrame x) => LinearFunction.CheckFeatures(x, Features);
}
