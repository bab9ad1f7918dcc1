namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>How a categorical split turns a (non-NaN) feature value into a category index.</summary>
public enum CategoryCast
{
    /// <summary>
    /// C's <c>(int)x</c>: truncation toward zero, so -0.5 is category 0; a negative result or a value outside the
    /// int32 range is "not in the set" (LightGBM).
    /// </summary>
    TruncateTowardZero,

    /// <summary>Any x &lt; 0 is "not in the set"; otherwise truncation toward zero (XGBoost).</summary>
    RejectNegative,
}
