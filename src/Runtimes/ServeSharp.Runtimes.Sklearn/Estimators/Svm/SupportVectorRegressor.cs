using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Svm;

/// <summary>SVR / NuSVR: libsvm's Σ dual_coef·K(x, sv) − rho.</summary>
public sealed class SupportVectorRegressor : IPredictor
{
    private readonly LibSvmModel _svm;

    /// <summary>Reads the fitted attributes.</summary>
    public SupportVectorRegressor(SkObject est)
    {
        _svm = new LibSvmModel(est, 2);
    }

    /// <inheritdoc />
    public int? FeatureCount => _svm.Features;

    /// <inheritdoc />
    public bool HasPredictProba => false;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        _svm.CheckFeatures(x);
        var m = x.ToMatrix();
        var d = _svm.Features;
        var kernel = new double[_svm.SupportCount];
        var y = new double[x.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            y[i] = _svm.Regress(m.AsSpan(i * d, d), kernel);
        }

        return Tensor.Create(outputName, [x.Rows], y);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes) => throw new NotSupportedException();
}
