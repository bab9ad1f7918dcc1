namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>How a numeric split compares a feature value with its threshold; the row goes left when it holds.</summary>
public enum SplitComparison
{
    /// <summary><c>x &lt;= threshold</c> goes left (LightGBM, scikit-learn).</summary>
    LessOrEqual,

    /// <summary><c>x &lt; threshold</c> goes left (XGBoost).</summary>
    LessThan,
}
