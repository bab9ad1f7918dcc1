namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>Which feature values a numeric split sends to its default child (see <see cref="TreeArrays.DefaultLeft"/>).</summary>
public enum MissingValueRule
{
    /// <summary>NaN goes to the default child; everything else is compared (XGBoost, scikit-learn, LightGBM <c>NaN</c>).</summary>
    NaN = 0,

    /// <summary>NaN is replaced by 0 and compared like any value; nothing uses the default child (LightGBM <c>None</c>).</summary>
    NaNAsZero = 1,

    /// <summary>
    /// NaN is replaced by 0, and values with |x| ≤ 1e-35f (LightGBM's <c>kZeroThreshold</c>) go to the default child
    /// (LightGBM <c>Zero</c>, used with <c>zero_as_missing</c>).
    /// </summary>
    ZeroOrNaN = 2,
}
