namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// Collects trees given as <see cref="TreeArrays"/>, checks them (lengths, child ranges, cycles and shared nodes,
/// feature ranges) and compiles them into an immutable, thread-safe <see cref="TreeEnsemble"/>.
/// Settings apply to the whole ensemble and must be set before <see cref="Build"/>.
/// </summary>
public sealed class TreeEnsembleBuilder
{
    /// <summary>Upper bound on nodes over all trees, so a hostile description cannot exhaust memory.</summary>
    public const int MaxTotalNodes = 1 << 26;

    private readonly List<TreeNode> _nodes = [];
    private readonly List<int> _roots = [];
    private readonly List<int> _treeOutputs = [];
    private readonly List<double> _treeWeights = [];
    private readonly List<double> _leafValues = [];
    private readonly List<uint> _bitsets = [];
    private readonly List<double> _linearConstants = [];
    private readonly List<int> _linearStarts = [];
    private readonly List<int> _linearFeatures = [];
    private readonly List<double> _linearCoefficients = [];

    /// <summary>Creates a builder for rows of <paramref name="featureCount"/> features and <paramref name="outputCount"/> outputs.</summary>
    public TreeEnsembleBuilder(int featureCount, int outputCount)
    {
        if (featureCount < 0)
        {
            throw new TreeStructureException($"Feature count {featureCount} is negative.");
        }

        if (outputCount < 1)
        {
            throw new TreeStructureException($"Output count {outputCount} must be at least 1.");
        }

        FeatureCount = featureCount;
        OutputCount = outputCount;
        BaseScores = new double[outputCount];
    }

    /// <summary>Features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Outputs per row (classes, targets or 1).</summary>
    public int OutputCount { get; }

    /// <summary>Comparison used by numeric splits. Default <see cref="SplitComparison.LessOrEqual"/>.</summary>
    public SplitComparison Comparison { get; set; } = SplitComparison.LessOrEqual;

    /// <summary>Type the outputs are summed in. Default <see cref="AccumulationPrecision.Float64"/>.</summary>
    public AccumulationPrecision Accumulation { get; set; } = AccumulationPrecision.Float64;

    /// <summary>
    /// Round every feature value to float32 before comparing (XGBoost's DMatrix, scikit-learn's <c>X.astype(float32)</c>).
    /// Linear leaves see the same rounded values.
    /// </summary>
    public bool CastFeaturesToFloat32 { get; set; }

    /// <summary>A category in a split's set goes left (LightGBM, scikit-learn) or right (false: XGBoost). Default true.</summary>
    public bool CategoryInSetGoesLeft { get; set; } = true;

    /// <summary>How categorical splits turn a value into a category. Default <see cref="CategoryCast.TruncateTowardZero"/>.</summary>
    public CategoryCast CategoryCast { get; set; } = CategoryCast.TruncateTowardZero;

    /// <summary>Initial value of each output (length <see cref="OutputCount"/>); zeros by default.</summary>
    public double[] BaseScores { get; set; }

    /// <summary>
    /// When set, the tree sum (started from 0) is divided by this value and then added to the base score
    /// (LightGBM <c>average_output</c>: number of iterations; random forests: number of trees). When null, the sum
    /// starts from the base score.
    /// </summary>
    public double? Divisor { get; set; }

    /// <summary>Trees added so far.</summary>
    public int TreeCount => _roots.Count;

    /// <summary>
    /// Adds a tree. With <see cref="TreeArrays.LeafWidth"/> 1 it adds <c>weight · leaf</c> to output
    /// <paramref name="outputIndex"/>; with <see cref="TreeArrays.LeafWidth"/> = <see cref="OutputCount"/> it adds its
    /// leaf vector to all outputs (<paramref name="outputIndex"/> must be 0).
    /// </summary>
    /// <exception cref="TreeStructureException">The tree is inconsistent; the message says where.</exception>
    public void AddTree(TreeArrays tree, int outputIndex = 0, double weight = 1.0)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var treeNo = _roots.Count;
        var n = tree.LeftChild?.Length ?? 0;
        if (n == 0)
        {
            throw new TreeStructureException($"Tree {treeNo} has no nodes.");
        }

        CheckLength(treeNo, "RightChild", tree.RightChild?.Length, n);
        CheckLength(treeNo, "SplitFeature", tree.SplitFeature?.Length, n);
        CheckLength(treeNo, "Threshold", tree.Threshold?.Length, n);
        if (tree.DefaultLeft is not null) CheckLength(treeNo, "DefaultLeft", tree.DefaultLeft.Length, n);
        if (tree.MissingRule is not null) CheckLength(treeNo, "MissingRule", tree.MissingRule.Length, n);
        if (tree.CategoryBitsets is not null) CheckLength(treeNo, "CategoryBitsets", tree.CategoryBitsets.Length, n);
        if (tree.LinearLeaves is not null) CheckLength(treeNo, "LinearLeaves", tree.LinearLeaves.Length, n);

        var width = tree.LeafWidth;
        if (width != 1 && width != OutputCount)
        {
            throw new TreeStructureException(
                $"Tree {treeNo} has leaf width {width}; it must be 1 or the output count {OutputCount}.");
        }

        CheckLength(treeNo, "LeafValues", tree.LeafValues?.LongLength, (long)n * width);
        var vector = width > 1;
        if (vector ? outputIndex != 0 : (uint)outputIndex >= (uint)OutputCount)
        {
            throw new TreeStructureException(
                $"Tree {treeNo} adds to output {outputIndex}, outside 0..{OutputCount - 1}.");
        }

        if (!double.IsFinite(weight))
        {
            throw new TreeStructureException($"Tree {treeNo} has a non-finite weight {weight}.");
        }

        if ((long)_nodes.Count + n > MaxTotalNodes)
        {
            throw new TreeStructureException($"The ensemble has more than {MaxTotalNodes} nodes.");
        }

        Compile(tree, treeNo, width);
        _treeOutputs.Add(vector ? -1 : outputIndex);
        _treeWeights.Add(weight);
    }

    /// <summary>Compiles the trees added so far.</summary>
    /// <exception cref="TreeStructureException">A setting is inconsistent.</exception>
    public TreeEnsemble Build()
    {
        if (BaseScores is null || BaseScores.Length != OutputCount)
        {
            throw new TreeStructureException(
                $"BaseScores has {BaseScores?.Length ?? 0} values; expected the output count {OutputCount}.");
        }

        if (Divisor is { } d && !(double.IsFinite(d) && d != 0))
        {
            throw new TreeStructureException($"Divisor {d} must be finite and non-zero.");
        }

        return new TreeEnsemble(new TreeEnsemble.Parts
        {
            FeatureCount = FeatureCount,
            OutputCount = OutputCount,
            Comparison = Comparison,
            Accumulation = Accumulation,
            CastFeaturesToFloat32 = CastFeaturesToFloat32,
            CategoryInSetGoesLeft = CategoryInSetGoesLeft,
            CategoryCast = CategoryCast,
            BaseScores = (double[])BaseScores.Clone(),
            Divisor = Divisor,
            Nodes = [.. _nodes],
            Roots = [.. _roots],
            TreeOutputs = [.. _treeOutputs],
            TreeWeights = [.. _treeWeights],
            LeafValues = [.. _leafValues],
            Bitsets = [.. _bitsets],
            LinearConstants = [.. _linearConstants],
            LinearStarts = [.. _linearStarts, _linearFeatures.Count],
            LinearFeatures = [.. _linearFeatures],
            LinearCoefficients = [.. _linearCoefficients],
        });
    }

    private static void CheckLength(int treeNo, string name, long? actual, long expected)
    {
        if (actual != expected)
        {
            throw new TreeStructureException(
                $"Tree {treeNo}: {name} has {actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} entries; expected {expected}.");
        }
    }

    /// <summary>
    /// Walks the tree depth-first from node 0, laying nodes out in pre-order (left child right after its parent).
    /// Every node may be reached once: a second visit means a cycle or a shared child, both rejected, so evaluation
    /// always ends. Unreachable nodes (e.g. XGBoost's deleted nodes) are dropped.
    /// </summary>
    private void Compile(TreeArrays tree, int treeNo, int width)
    {
        var n = tree.NodeCount;
        var newIndex = new int[n];
        Array.Fill(newIndex, -1);
        var baseIndex = _nodes.Count;
        var stack = new Stack<(int Node, int Parent, bool IsLeft)>();
        stack.Push((0, -1, false));
        while (stack.Count > 0)
        {
            var (i, parent, isLeft) = stack.Pop();
            if ((uint)i >= (uint)n)
            {
                throw new TreeStructureException(
                    $"Tree {treeNo}: node {parent} has child index {i}, outside 0..{n - 1}.");
            }

            if (newIndex[i] >= 0)
            {
                throw new TreeStructureException(
                    $"Tree {treeNo}: node {i} is reached twice (a cycle or a shared child, via node {parent}).");
            }

            var at = _nodes.Count;
            newIndex[i] = at;
            if (parent >= 0)
            {
                var p = _nodes[newIndex[parent]];
                if (isLeft) p.Left = at; else p.Right = at;
                _nodes[newIndex[parent]] = p;
            }

            if (tree.LeftChild[i] < 0)
            {
                _nodes.Add(CompileLeaf(tree, treeNo, i, width));
                continue;
            }

            _nodes.Add(CompileSplit(tree, treeNo, i));
            // Right pushed first so the left subtree is laid out next to its parent.
            stack.Push((tree.RightChild[i], i, false));
            stack.Push((tree.LeftChild[i], i, true));
        }

        _roots.Add(baseIndex);
    }

    private TreeNode CompileLeaf(TreeArrays tree, int treeNo, int i, int width)
    {
        var node = new TreeNode { Feature = -1, Left = _leafValues.Count, Right = -1 };
        for (var k = 0; k < width; k++)
        {
            _leafValues.Add(tree.LeafValues[(long)i * width + k]);
        }

        if (tree.LinearLeaves?[i] is { } linear)
        {
            if (linear.Features is null || linear.Coefficients is null
                || linear.Features.Length != linear.Coefficients.Length)
            {
                throw new TreeStructureException(
                    $"Tree {treeNo}: linear leaf {i} needs as many coefficients as features.");
            }

            if (width != 1)
            {
                throw new TreeStructureException($"Tree {treeNo}: linear leaf {i} in a tree with vector leaves.");
            }

            foreach (var f in linear.Features)
            {
                if ((uint)f >= (uint)FeatureCount)
                {
                    throw new TreeStructureException(
                        $"Tree {treeNo}: linear leaf {i} uses feature {f}, outside 0..{FeatureCount - 1}.");
                }
            }

            node.Right = _linearConstants.Count;
            _linearConstants.Add(linear.Constant);
            _linearStarts.Add(_linearFeatures.Count);
            _linearFeatures.AddRange(linear.Features);
            _linearCoefficients.AddRange(linear.Coefficients);
        }

        return node;
    }

    private TreeNode CompileSplit(TreeArrays tree, int treeNo, int i)
    {
        var feature = tree.SplitFeature[i];
        if ((uint)feature >= (uint)FeatureCount)
        {
            throw new TreeStructureException(
                $"Tree {treeNo}: node {i} splits on feature {feature}, outside 0..{FeatureCount - 1}.");
        }

        var node = new TreeNode { Feature = feature, Threshold = tree.Threshold[i] };
        if (tree.DefaultLeft?[i] == true)
        {
            node.Flags |= TreeNode.DefaultLeftFlag;
        }

        if (tree.CategoryBitsets?[i] is { } bits)
        {
            node.Flags |= TreeNode.CategoricalFlag;
            node.BitsetOffset = _bitsets.Count;
            node.BitsetWords = bits.Length;
            _bitsets.AddRange(bits);
        }
        else
        {
            var rule = tree.MissingRule?[i] ?? MissingValueRule.NaN;
            if (rule is not (MissingValueRule.NaN or MissingValueRule.NaNAsZero or MissingValueRule.ZeroOrNaN))
            {
                throw new TreeStructureException($"Tree {treeNo}: node {i} has an unknown missing-value rule {(int)rule}.");
            }

            node.Flags |= (int)rule << TreeNode.MissingRuleShift;
        }

        return node;
    }
}
