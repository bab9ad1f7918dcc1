namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>The floating-point type tree outputs are summed in; it decides the exact bits of the result.</summary>
public enum AccumulationPrecision
{
    /// <summary>Sum in <see cref="double"/> (LightGBM, scikit-learn).</summary>
    Float64,

    /// <summary>
    /// Sum in <see cref="float"/>, as XGBoost does: base scores, leaf values and tree weights are rounded to float
    /// and every addition (and leaf × weight product) is rounded to float.
    /// </summary>
    Float32,
}
