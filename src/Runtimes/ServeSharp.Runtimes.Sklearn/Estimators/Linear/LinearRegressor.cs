using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Linear;

/// <summary>LinearRegression, Ridge, Lasso, ElasticNet, SGDRegressor, LinearSVR: <c>X @ coef_.T + intercept_</c>.</summary>
public sealed class LinearRegressor : IPredictor
{
    private readonly LinearFunction _f;
    private readonly bool _ravel;

    /// <summary>Reads the fitted attributes.</summary>
    public LinearRegressor(SkObject est)
    {
        _f = new LinearFunction(est);
        // SGDRegressor ravels its (n, 1) output; the others keep coef_'s dimensionality.
        _ravel = _f.OneDimensional || est.ShortName == "SGDRegressor";
    }

    /// <inheritdoc />
    public int? FeatureCount => _f.Features;

    /// <inheritdoc />
    public bool HasPredictProba => false;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        var y = _f.Evaluate(x);
        long[] shape = _ravel ? [x.Rows] : [x.Rows, _f.Outputs];
        return Tensor.Create(outputName, shape, y);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes) => throw new NotSupportedException();
}
