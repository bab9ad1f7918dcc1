namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// One decision tree as flat per-node arrays, node 0 being the root (the layout scikit-learn's <c>Tree</c> and
/// XGBoost's JSON use). Node <c>i</c> is a leaf when <c>LeftChild[i] &lt; 0</c>; otherwise it is a split on
/// <c>SplitFeature[i]</c>. Arrays are read once by <see cref="TreeEnsembleBuilder.AddTree"/> and not kept.
/// </summary>
public sealed class TreeArrays
{
    /// <summary>Left child of each node, or a negative number for a leaf.</summary>
    public required int[] LeftChild { get; init; }

    /// <summary>Right child of each node (ignored for leaves).</summary>
    public required int[] RightChild { get; init; }

    /// <summary>Feature index of each split (ignored for leaves).</summary>
    public required int[] SplitFeature { get; init; }

    /// <summary>
    /// Threshold of each numeric split (ignored for leaves and categorical splits). Compared in double: give
    /// float thresholds (XGBoost) widened exactly, and set <see cref="TreeEnsembleBuilder.CastFeaturesToFloat32"/>
    /// when the reference compares float32 features.
    /// </summary>
    public required double[] Threshold { get; init; }

    /// <summary>
    /// Leaf outputs, <see cref="LeafWidth"/> values per node: node <c>i</c>, output <c>k</c> is at
    /// <c>i * LeafWidth + k</c> (the row-major layout of scikit-learn's <c>tree_.value</c> for one target). Only
    /// leaf entries are read; split entries may hold anything.
    /// </summary>
    public required double[] LeafValues { get; init; }

    /// <summary>Values per leaf: 1 (the tree adds to one output) or the ensemble's output count (vector leaves).</summary>
    public int LeafWidth { get; init; } = 1;

    /// <summary>Per node: missing values (per <see cref="MissingRule"/>) go left. Null means all go right.</summary>
    public bool[]? DefaultLeft { get; init; }

    /// <summary>Per node: which values count as missing. Null means <see cref="MissingValueRule.NaN"/> everywhere.</summary>
    public MissingValueRule[]? MissingRule { get; init; }

    /// <summary>
    /// Per node: null for a numeric split, or the category set of a categorical split as a bitset (category
    /// <c>c</c> is bit <c>c % 32</c> of word <c>c / 32</c>). Where a category in the set goes is
    /// <see cref="TreeEnsembleBuilder.CategoryInSetGoesLeft"/>; NaN goes to the default child.
    /// </summary>
    public uint[]?[]? CategoryBitsets { get; init; }

    /// <summary>Per node: a linear model replacing the leaf value (LightGBM <c>linear_tree</c>), or null.</summary>
    public LinearLeaf?[]? LinearLeaves { get; init; }

    /// <summary>Number of nodes.</summary>
    public int NodeCount => LeftChild.Length;
}
