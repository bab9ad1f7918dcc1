using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Linear;

/// <summary><c>X @ coef_.T + intercept_</c> for coef_ of shape (d,) or (k, d) and intercept_ scalar or (k,).</summary>
internal sealed class LinearFunction
{
    private readonly double[] _coef;
    private readonly double[] _intercept;

    public LinearFunction(SkObject est)
    {
        var coef = est.Array("coef_");
        if (coef.Rank is not (1 or 2))
        {
            throw est.WrongType("coef_", "a 1-D or 2-D array");
        }

        _coef = coef.ToDoubles();
        OneDimensional = coef.Rank == 1;
        Features = (int)coef.Shape[^1];
        Outputs = coef.Rank == 1 ? 1 : (int)coef.Shape[0];
        var intercept = est.Get("intercept_");
        _intercept = intercept switch
        {
            NdArray a => a.ToDoubles(),
            _ => [SkObject.ToDouble(intercept) ?? throw est.WrongType("intercept_", "a number or array")],
        };
        if (_intercept.Length == 1 && Outputs > 1)
        {
            _intercept = Enumerable.Repeat(_intercept[0], Outputs).ToArray();
        }

        if (_intercept.Length != Outputs)
        {
            throw est.WrongType("intercept_", $"{Outputs} values to match coef_");
        }
    }

    /// <summary>Number of input features.</summary>
    public int Features { get; }

    /// <summary>Number of outputs (k).</summary>
    public int Outputs { get; }

    /// <summary>True when coef_ was 1-D (single-output models give 1-D predictions).</summary>
    public bool OneDimensional { get; }

    /// <summary>Row-major [rows, Outputs] decision values.</summary>
    public double[] Evaluate(FeatureFrame x)
    {
        CheckFeatures(x, Features);
        var m = x.ToMatrix();
        var d = Features;
        var result = new double[x.Rows * Outputs];
        for (var i = 0; i < x.Rows; i++)
        {
            var row = m.AsSpan(i * d, d);
            for (var k = 0; k < Outputs; k++)
            {
                result[i * Outputs + k] = VectorMath.Dot(row, _coef.AsSpan(k * d, d)) + _intercept[k];
            }
        }

        return result;
    }

    /// <summary>The error scikit-learn raises for a wrong feature count.</summary>
    public static void CheckFeatures(FeatureFrame x, int expected)
    {
        if (x.Columns != expected)
        {
            throw InferenceException.InvalidInput(
                $"X has {x.Columns} features, but the model is expecting {expected} features as input.");
        }
    }
}
