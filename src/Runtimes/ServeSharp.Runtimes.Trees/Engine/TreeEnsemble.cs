using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// An immutable, thread-safe compiled tree ensemble (build it with <see cref="TreeEnsembleBuilder"/>). It returns raw
/// scores — base score plus the (weighted) sum of tree outputs, optionally divided — before any objective transform.
/// Per row, trees are summed in the order they were added, so results match the reference libraries bit for bit
/// when the precision and comparison settings match theirs.
/// </summary>
public sealed partial class TreeEnsemble
{
    private const int BlockRows = 64;

    // LightGBM's kZeroThreshold is the float literal 1e-35f widened to double.
    private const double ZeroThreshold = 1e-35f;

    private readonly TreeNode[] _nodes;
    private readonly int[] _roots;
    private readonly int[] _treeOutputs;
    private readonly double[] _treeWeights;
    private readonly float[] _treeWeights32;
    private readonly double[] _leafValues;
    private readonly float[] _leafValues32;
    private readonly uint[] _bitsets;
    private readonly double[] _linearConstants;
    private readonly int[] _linearStarts;
    private readonly int[] _linearFeatures;
    private readonly double[] _linearCoefficients;
    private readonly double[] _baseScores;
    private readonly double? _divisor;
    private readonly bool _unitWeights;

    internal TreeEnsemble(Parts parts)
    {
        FeatureCount = parts.FeatureCount;
        OutputCount = parts.OutputCount;
        Comparison = parts.Comparison;
        Accumulation = parts.Accumulation;
        CastFeaturesToFloat32 = parts.CastFeaturesToFloat32;
        CategoryInSetGoesLeft = parts.CategoryInSetGoesLeft;
        CategoryCast = parts.CategoryCast;
        _baseScores = parts.BaseScores;
        _divisor = parts.Divisor;
        _nodes = parts.Nodes;
        _roots = parts.Roots;
        _treeOutputs = parts.TreeOutputs;
        _treeWeights = parts.TreeWeights;
        _treeWeights32 = Array.ConvertAll(parts.TreeWeights, static w => (float)w);
        _leafValues = parts.LeafValues;
        _leafValues32 = Array.ConvertAll(parts.LeafValues, static v => (float)v);
        _bitsets = parts.Bitsets;
        _linearConstants = parts.LinearConstants;
        _linearStarts = parts.LinearStarts;
        _linearFeatures = parts.LinearFeatures;
        _linearCoefficients = parts.LinearCoefficients;
        _unitWeights = Array.TrueForAll(parts.TreeWeights, static w => w == 1.0);
    }

    /// <summary>Features each row must have.</summary>
    public int FeatureCount { get; }

    /// <summary>Raw scores per row.</summary>
    public int OutputCount { get; }

    /// <summary>Number of trees.</summary>
    public int TreeCount => _roots.Length;

    /// <summary>Number of compiled (reachable) nodes over all trees.</summary>
    public int NodeCount => _nodes.Length;

    /// <summary>The numeric split comparison.</summary>
    public SplitComparison Comparison { get; }

    /// <summary>The accumulation precision.</summary>
    public AccumulationPrecision Accumulation { get; }

    /// <summary>Whether features are rounded to float32 before use.</summary>
    public bool CastFeaturesToFloat32 { get; }

    /// <summary>Whether a category in a split's set goes left.</summary>
    public bool CategoryInSetGoesLeft { get; }

    /// <summary>How categorical values become category indices.</summary>
    public CategoryCast CategoryCast { get; }

    /// <summary>Raw scores of one row: <paramref name="features"/> has <see cref="FeatureCount"/> values, <paramref name="output"/> receives <see cref="OutputCount"/>.</summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void PredictRaw(ReadOnlySpan<double> features, Span<double> output) => PredictRaw(features, 1, output);

    /// <summary>
    /// Raw scores of <paramref name="rowCount"/> rows stored row-major in <paramref name="features"/>
    /// (<c>rowCount · FeatureCount</c> values); <paramref name="output"/> receives <c>rowCount · OutputCount</c> values, row-major.
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void PredictRaw(ReadOnlySpan<double> features, int rowCount, Span<double> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (features.Length != (long)rowCount * FeatureCount)
        {
            throw new ArgumentException(
                $"Expected {rowCount} rows × {FeatureCount} features = {(long)rowCount * FeatureCount} values but got {features.Length}.",
                nameof(features));
        }

        if (output.Length != (long)rowCount * OutputCount)
        {
            throw new ArgumentException(
                $"Expected room for {(long)rowCount * OutputCount} outputs but got {output.Length}.", nameof(output));
        }

        if (Comparison == SplitComparison.LessThan)
        {
            Predict<LessThan>(features, rowCount, output);
        }
        else
        {
            Predict<LessOrEqual>(features, rowCount, output);
        }
    }

    /// <summary>
    /// The leaf each tree sends one row to, as the tree's node index in compiled (pre-order) numbering relative to
    /// the tree's root; for diagnostics and tests.
    /// </summary>
    public int[] PredictLeaves(ReadOnlySpan<double> features)
    {
        if (features.Length != FeatureCount)
        {
            throw new ArgumentException($"Expected {FeatureCount} features but got {features.Length}.", nameof(features));
        }

        var row = PrepareRow(features, out var rented);
        try
        {
            var result = new int[_roots.Length];
            for (var t = 0; t < _roots.Length; t++)
            {
                result[t] = Comparison == SplitComparison.LessThan
                    ? FindLeaf<LessThan>(row, _roots[t]) - _roots[t]
                    : FindLeaf<LessOrEqual>(row, _roots[t]) - _roots[t];
            }

            return result;
        }
        finally
        {
            if (rented is not null) ArrayPool<double>.Shared.Return(rented);
        }
    }

    private ReadOnlySpan<double> PrepareRow(ReadOnlySpan<double> features, out double[]? rented)
    {
        rented = null;
        if (!CastFeaturesToFloat32)
        {
            return features;
        }

        rented = ArrayPool<double>.Shared.Rent(features.Length);
        var copy = rented.AsSpan(0, features.Length);
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = (float)features[i];
        }

        return copy;
    }

    private void Predict<TCmp>(ReadOnlySpan<double> features, int rowCount, Span<double> output)
        where TCmp : struct, ISplitComparer
    {
        var f = FeatureCount;
        var k = OutputCount;
        double[]? castRented = null;
        int[] leaves = ArrayPool<int>.Shared.Rent(BlockRows);
        double[] acc64 = ArrayPool<double>.Shared.Rent(BlockRows * k);
        float[] acc32 = ArrayPool<float>.Shared.Rent(BlockRows * k);
        try
        {
            if (CastFeaturesToFloat32)
            {
                castRented = ArrayPool<double>.Shared.Rent(Math.Min(rowCount, BlockRows) * f);
            }

            for (var start = 0; start < rowCount; start += BlockRows)
            {
                var rows = Math.Min(BlockRows, rowCount - start);
                var block = features.Slice(start * f, rows * f);
                if (castRented is not null)
                {
                    var copy = castRented.AsSpan(0, rows * f);
                    for (var i = 0; i < copy.Length; i++)
                    {
                        copy[i] = (float)block[i];
                    }

                    block = copy;
                }

                var outBlock = output.Slice(start * k, rows * k);
                if (Accumulation == AccumulationPrecision.Float32)
                {
                    PredictBlock32<TCmp>(block, rows, leaves, acc32.AsSpan(0, rows * k), outBlock);
                }
                else
                {
                    PredictBlock64<TCmp>(block, rows, leaves, acc64.AsSpan(0, rows * k), outBlock);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(leaves);
            ArrayPool<double>.Shared.Return(acc64);
            ArrayPool<float>.Shared.Return(acc32);
            if (castRented is not null) ArrayPool<double>.Shared.Return(castRented);
        }
    }

    private void PredictBlock64<TCmp>(ReadOnlySpan<double> block, int rows, int[] leaves, Span<double> acc, Span<double> output)
        where TCmp : struct, ISplitComparer
    {
        var f = FeatureCount;
        var k = OutputCount;
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < k; j++)
            {
                acc[r * k + j] = _divisor is null ? _baseScores[j] : 0.0;
            }
        }

        var leafValues = _leafValues;
        for (var t = 0; t < _roots.Length; t++)
        {
            var root = _roots[t];
            for (var r = 0; r < rows; r++)
            {
                leaves[r] = FindLeaf<TCmp>(block.Slice(r * f, f), root);
            }

            var target = _treeOutputs[t];
            var weight = _treeWeights[t];
            if (target < 0)
            {
                for (var r = 0; r < rows; r++)
                {
                    var at = _nodes[leaves[r]].Left;
                    for (var j = 0; j < k; j++)
                    {
                        acc[r * k + j] += _unitWeights ? leafValues[at + j] : leafValues[at + j] * weight;
                    }
                }
            }
            else
            {
                for (var r = 0; r < rows; r++)
                {
                    ref readonly var leaf = ref _nodes[leaves[r]];
                    var value = leaf.Right < 0 ? leafValues[leaf.Left] : LinearValue(leaf, block.Slice(r * f, f));
                    acc[r * k + target] += _unitWeights ? value : value * weight;
                }
            }
        }

        for (var i = 0; i < rows * k; i++)
        {
            output[i] = _divisor is { } d ? _baseScores[i % k] + acc[i] / d : acc[i];
        }
    }

    private void PredictBlock32<TCmp>(ReadOnlySpan<double> block, int rows, int[] leaves, Span<float> acc, Span<double> output)
        where TCmp : struct, ISplitComparer
    {
        var f = FeatureCount;
        var k = OutputCount;
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < k; j++)
            {
                acc[r * k + j] = _divisor is null ? (float)_baseScores[j] : 0f;
            }
        }

        var leafValues = _leafValues32;
        for (var t = 0; t < _roots.Length; t++)
        {
            var root = _roots[t];
            for (var r = 0; r < rows; r++)
            {
                leaves[r] = FindLeaf<TCmp>(block.Slice(r * f, f), root);
            }

            var target = _treeOutputs[t];
            var weight = _treeWeights32[t];
            if (target < 0)
            {
                for (var r = 0; r < rows; r++)
                {
                    var at = _nodes[leaves[r]].Left;
                    for (var j = 0; j < k; j++)
                    {
                        acc[r * k + j] += _unitWeights ? leafValues[at + j] : leafValues[at + j] * weight;
                    }
                }
            }
            else
            {
                for (var r = 0; r < rows; r++)
                {
                    ref readonly var leaf = ref _nodes[leaves[r]];
                    var value = leaf.Right < 0 ? leafValues[leaf.Left] : (float)LinearValue(leaf, block.Slice(r * f, f));
                    acc[r * k + target] += _unitWeights ? value : value * weight;
                }
            }
        }

        for (var i = 0; i < rows * k; i++)
        {
            output[i] = _divisor is { } d ? (float)(_baseScores[i % k] + (double)acc[i] / d) : acc[i];
        }
    }

    private double LinearValue(in TreeNode leaf, ReadOnlySpan<double> row)
    {
        var index = leaf.Right;
        var output = _linearConstants[index];
        for (var i = _linearStarts[index]; i < _linearStarts[index + 1]; i++)
        {
            var x = row[_linearFeatures[i]];
            if (double.IsNaN(x))
            {
                return _leafValues[leaf.Left];
            }

            output += _linearCoefficients[i] * x;
        }

        return output;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindLeaf<TCmp>(ReadOnlySpan<double> row, int index)
        where TCmp : struct, ISplitComparer
    {
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        while (true)
        {
            ref readonly var node = ref Unsafe.Add(ref nodes, index);
            if (node.Feature < 0)
            {
                return index;
            }

            var x = row[node.Feature];
            if (node.Flags <= TreeNode.DefaultLeftFlag)
            {
                // Plain numeric split with the NaN rule: NaN fails both comparisons and so goes right unless the
                // default is left.
                var left = TCmp.GoesLeft(x, node.Threshold) | (node.Flags != 0 & double.IsNaN(x));
                index = left ? node.Left : node.Right;
            }
            else
            {
                index = NextSlow<TCmp>(node, x);
            }
        }
    }

    private int NextSlow<TCmp>(in TreeNode node, double x)
        where TCmp : struct, ISplitComparer
    {
        var defaultChild = (node.Flags & TreeNode.DefaultLeftFlag) != 0 ? node.Left : node.Right;
        if ((node.Flags & TreeNode.CategoricalFlag) != 0)
        {
            if (double.IsNaN(x))
            {
                return defaultChild;
            }

            var inSet = InCategorySet(node, x);
            return inSet == CategoryInSetGoesLeft ? node.Left : node.Right;
        }

        var rule = (MissingValueRule)((node.Flags & TreeNode.MissingRuleMask) >> TreeNode.MissingRuleShift);
        if (double.IsNaN(x))
        {
            if (rule == MissingValueRule.NaN)
            {
                return defaultChild;
            }

            x = 0.0;
        }

        if (rule == MissingValueRule.ZeroOrNaN && x >= -ZeroThreshold && x <= ZeroThreshold)
        {
            return defaultChild;
        }

        return TCmp.GoesLeft(x, node.Threshold) ? node.Left : node.Right;
    }

    private bool InCategorySet(in TreeNode node, double x)
    {
        if (CategoryCast == CategoryCast.RejectNegative && x < 0)
        {
            return false;
        }

        // C's (int)x on x86-64 yields int.MinValue for values outside the int32 range; both are "not in the set".
        if (!(x > -2147483649.0 && x < 2147483648.0))
        {
            return false;
        }

        var category = (int)x;
        if (category < 0)
        {
            return false;
        }

        var word = category >> 5;
        return word < node.BitsetWords && ((_bitsets[node.BitsetOffset + word] >> (category & 31)) & 1) != 0;
    }
}
