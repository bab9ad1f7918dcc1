namespace ServeSharp.Runtimes.Trees.XGBoost;

/// <summary>What an XGBoost model file holds, independent of its format (JSON, UBJSON, legacy binary).</summary>
internal sealed class XGBoostBooster
{
    public required string Objective { get; init; }

    /// <summary>The user-space base score as stored (transformed to a margin by the objective at load).</summary>
    public required float BaseScore { get; init; }

    /// <summary>True when <see cref="BaseScore"/> is already a margin (binary models written before XGBoost 1.0).</summary>
    public bool BaseScoreIsMargin { get; init; }

    public required int FeatureCount { get; init; }

    public required int ClassCount { get; init; }

    public required int TargetCount { get; init; }

    /// <summary><c>gbtree</c>, <c>dart</c> or <c>gblinear</c>.</summary>
    public required string BoosterName { get; init; }

    public IReadOnlyList<XGBoostTree> Trees { get; init; } = [];

    /// <summary>Output group of each tree.</summary>
    public int[] TreeInfo { get; init; } = [];

    /// <summary>DART tree weights (one per tree), or null.</summary>
    public float[]? WeightDrop { get; init; }

    /// <summary>gblinear weights: (features + 1) rows × groups, the last row the bias.</summary>
    public float[]? LinearWeights { get; init; }

    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>Outputs per row: classes for multi-class, targets for multi-target, else 1.</summary>
    public int OutputGroups => Math.Max(1, Math.Max(ClassCount, TargetCount));
}

/// <summary>One regression tree as XGBoost stores it; leaves hold their value in <see cref="SplitConditions"/>.</summary>
internal sealed class XGBoostTree
{
    public required int[] LeftChildren { get; init; }

    public required int[] RightChildren { get; init; }

    public required int[] SplitIndices { get; init; }

    public required float[] SplitConditions { get; init; }

    public required bool[] DefaultLeft { get; init; }

    /// <summary>Per node: the categories of a categorical split (those sent right), or null.</summary>
    public uint[]?[]? CategoryBitsets { get; init; }
}
