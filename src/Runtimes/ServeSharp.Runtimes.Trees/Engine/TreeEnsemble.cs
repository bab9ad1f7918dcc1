using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

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

    /// <summary>Largest scratch buffer (elements) taken from the stack rather than the array pool.</summary>
    private const int StackLimit = 512;

    // LightGBM's kZeroThreshold is the float literal 1e-35f widened to double.
    private const double ZeroThreshold = 1e-35f;

    private readonly TreeNode[] _nodes;
    private readonly int[] _roots;
    private readonly int[] _treeOutputs;
    private readonly double[] _leafValues;
    private readonly Values<double> _values64;
    private readonly Values<float> _values32;
    private readonly bool _hasLinearLeaves;
    private readonly uint[] _bitsets;
    private readonly double[] _linearConstants;
    private readonly int[] _linearStarts;
    private readonly int[] _linearFeatures;
    private readonly double[] _linearCoefficients;
    private readonly double[] _baseScores;
    private readonly double? _divisor;
    private readonly bool _unitWeights;

    /// <summary>The trees a prediction evaluates, in order: all but those folded into <see cref="Values{T}.Start"/>.</summary>
    private readonly int[] _order;

    /// <summary>The roots of <see cref="_order"/>'s trees.</summary>
    private readonly int[] _orderRoots;

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
        _leafValues = parts.LeafValues;
        var nodeValues = new double[_nodes.Length];
        for (var i = 0; i < _nodes.Length; i++)
        {
            // A leaf's first value by node number: the walk ends on a node, and this saves a lookup per tree.
            nodeValues[i] = _nodes[i].Feature < 0 && _nodes[i].Left < _leafValues.Length ? _leafValues[_nodes[i].Left] : 0.0;
        }

        (_walk, _walkDepth) = BuildWalk(_nodes, _roots, FeatureCount, Comparison);
        (_maskStart, _maskEnd, _maskFeature, _maskThreshold, _maskLeft, _maskLeafStart, _maskLeaves) =
            BuildMasks(_nodes, _roots, _walkDepth);
        _hasMaskTrees = Array.Exists(_maskStart, static s => s >= 0);
        _hasLinearLeaves = parts.LinearConstants.Length > 0;
        _unitWeights = Array.TrueForAll(parts.TreeWeights, static w => w == 1.0);
        var folded = FoldedTrees(_nodes, _roots, _treeOutputs, OutputCount);
        _values64 = CreateValues(_leafValues, nodeValues, parts.TreeWeights, folded);
        _values32 = CreateValues(
            Array.ConvertAll(_leafValues, static v => (float)v),
            Array.ConvertAll(nodeValues, static v => (float)v),
            Array.ConvertAll(parts.TreeWeights, static w => (float)w),
            folded);
        _order = Enumerable.Range(0, _roots.Length).Where(t => !folded[t]).ToArray();
        _bitsets = parts.Bitsets;
        _linearConstants = parts.LinearConstants;
        _linearStarts = parts.LinearStarts;
        _linearFeatures = parts.LinearFeatures;
        _linearCoefficients = parts.LinearCoefficients;
        _orderRoots = Array.ConvertAll(_order, t => _roots[t]);
        _rowWalk = RowWalk.Build(_walk, _roots, _walkDepth, _order);
        _filledWalk = _rowWalk.ForFilledRows(_walk, _roots, _order, FeatureCount);
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
        RoundToFloat32(features, copy);
        return copy;
    }

    private static bool HasNaN(ReadOnlySpan<double> row)
    {
        foreach (var x in row)
        {
            if (double.IsNaN(x))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Trees that are a single constant leaf and come before every other tree of their output. Per row, their sum in
    /// tree order does not depend on the row, so it is computed once (<see cref="Values{T}.Start"/>) with the same
    /// additions in the same order, and the trees are not evaluated per row.
    /// </summary>
    private static bool[] FoldedTrees(TreeNode[] nodes, int[] roots, int[] treeOutputs, int outputCount)
    {
        var folded = new bool[roots.Length];
        var started = new bool[outputCount];
        for (var t = 0; t < roots.Length; t++)
        {
            var target = treeOutputs[t];
            if (target < 0)
            {
                // A vector leaf adds to every output.
                started.AsSpan().Fill(true);
                continue;
            }

            ref readonly var root = ref nodes[roots[t]];
            if (!started[target] && root.Feature < 0 && root.Right < 0)
            {
                folded[t] = true;
            }
            else
            {
                started[target] = true;
            }
        }

        return folded;
    }

    private Values<T> CreateValues<T>(T[] leaf, T[] node, T[] weights, bool[] folded)
        where T : unmanaged, INumber<T>
    {
        var start = new T[OutputCount];
        for (var j = 0; j < start.Length; j++)
        {
            start[j] = _divisor is null ? T.CreateTruncating(_baseScores[j]) : T.Zero;
        }

        for (var t = 0; t < folded.Length; t++)
        {
            if (folded[t])
            {
                var v = node[_roots[t]];
                start[_treeOutputs[t]] += _unitWeights ? v : v * weights[t];
            }
        }

        return new Values<T>(leaf, node, weights, start, Array.ConvertAll(_maskLeaves, i => node[i]));
    }

    private static void RoundToFloat32(ReadOnlySpan<double> source, Span<double> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }

    private void Predict<TCmp>(ReadOnlySpan<double> features, int rowCount, Span<double> output)
        where TCmp : struct, ISplitComparer
    {
        if (Accumulation == AccumulationPrecision.Float32)
        {
            Predict<TCmp, float>(features, rowCount, output, _values32);
        }
        else
        {
            Predict<TCmp, double>(features, rowCount, output, _values64);
        }
    }

    /// <summary>
    /// Evaluates blocks of up to <see cref="BlockRows"/> rows tree by tree (the tree's nodes stay in cache while
    /// the block goes through it), summing in <typeparamref name="T"/>; small trees find a NaN-free block's leaves by
    /// masks (<see cref="Masks{TCmp}"/>). Blocks of fewer than <see cref="RowLanes"/> rows go row by row through
    /// groups of trees instead, which is what a single-row request needs.
    /// </summary>
    private void Predict<TCmp, T>(ReadOnlySpan<double> features, int rowCount, Span<double> output, Values<T> values)
        where TCmp : struct, ISplitComparer
        where T : unmanaged, INumber<T>
    {
        var f = FeatureCount;
        var k = OutputCount;
        var blockRows = Math.Min(rowCount, BlockRows);
        Span<int> leaves = stackalloc int[BlockRows];
        Span<bool> rowHasNaN = stackalloc bool[BlockRows];
        T[]? accRented = null;
        double[]? castRented = null;
        var accLength = blockRows * k;
        var acc = accLength <= StackLimit ? stackalloc T[accLength] : (accRented = ArrayPool<T>.Shared.Rent(accLength)).AsSpan(0, accLength);
        var castLength = CastFeaturesToFloat32 ? blockRows * f : 0;
        var cast = castLength <= StackLimit ? stackalloc double[castLength] : (castRented = ArrayPool<double>.Shared.Rent(castLength)).AsSpan(0, castLength);
        // Rows rounded up to whole vectors, for the masked trees' column copy of a block.
        var stride = (blockRows + 1) & ~1;
        var columnsLength = _hasMaskTrees && blockRows >= RowLanes ? stride * f : 0;
        double[]? columnsRented = null;
        var columns = columnsLength <= StackLimit ? stackalloc double[columnsLength] : (columnsRented = ArrayPool<double>.Shared.Rent(columnsLength)).AsSpan(0, columnsLength);
        // Only blocks of at least RowLanes rows use masks: a single-row call does not clear 512 bytes of stack for them.
        Span<ulong> masks = stackalloc ulong[_hasMaskTrees && blockRows >= RowLanes ? BlockRows : 0];
        // Rows walked one by one that have a missing value are filled first (see _filledWalk).
        var filledLength = blockRows < RowLanes ? 2 * f : 0;
        double[]? filledRented = null;
        var filled = filledLength <= StackLimit ? stackalloc double[filledLength] : (filledRented = ArrayPool<double>.Shared.Rent(filledLength)).AsSpan(0, filledLength);
        try
        {
            for (var start = 0; start < rowCount; start += BlockRows)
            {
                var rows = Math.Min(BlockRows, rowCount - start);
                scoped ReadOnlySpan<double> block = features.Slice(start * f, rows * f);
                if (CastFeaturesToFloat32)
                {
                    var copy = cast[..(rows * f)];
                    RoundToFloat32(block, copy);
                    block = copy;
                }

                var sums = acc[..(rows * k)];
                for (var r = 0; r < rows; r++)
                {
                    values.Start.CopyTo(sums.Slice(r * k, k));
                }

                var anyNaN = false;
                for (var r = 0; r < rows; r++)
                {
                    rowHasNaN[r] = HasNaN(block.Slice(r * f, f));
                    anyNaN |= rowHasNaN[r];
                }

                if (rows < RowLanes)
                {
                    for (var r = 0; r < rows; r++)
                    {
                        var row = block.Slice(r * f, f);
                        if (rowHasNaN[r])
                        {
                            FillMissing(row, filled);
                            SumRow<TCmp, T>(row, _filledWalk, filled, leaves, sums.Slice(r * k, k), values);
                        }
                        else
                        {
                            SumRow<TCmp, T>(row, _rowWalk, row, leaves, sums.Slice(r * k, k), values);
                        }
                    }
                }
                else
                {
                    var byMasks = _hasMaskTrees && !anyNaN;
                    var rowStride = (rows + 1) & ~1;
                    if (byMasks)
                    {
                        ToColumns(block, rows, rowStride, columns[..(rowStride * f)]);
                    }

                    foreach (var t in _order)
                    {
                        var target = _treeOutputs[t];
                        if (byMasks && _maskStart[t] >= 0)
                        {
                            var bits = Masks<TCmp>(t, columns[..(rowStride * f)], rowStride, masks);
                            if (target >= 0 && !_hasLinearLeaves)
                            {
                                SumByMasks(t, bits, rows, sums[target..], k, values);
                                continue;
                            }

                            LeavesOfMasks(t, bits, rows, leaves);
                        }
                        else
                        {
                            LeavesOfRows<TCmp>(t, block, rows, rowHasNaN, anyNaN, leaves);
                        }

                        if (target >= 0 && !_hasLinearLeaves)
                        {
                            // The common case, AddLeaf's first branch hoisted out of the row loop.
                            var nodeValues = values.Node;
                            var column = sums[target..];
                            if (_unitWeights)
                            {
                                for (var r = 0; r < rows; r++)
                                {
                                    column[r * k] += nodeValues[leaves[r]];
                                }
                            }
                            else
                            {
                                var weight = values.Weights[t];
                                for (var r = 0; r < rows; r++)
                                {
                                    column[r * k] += nodeValues[leaves[r]] * weight;
                                }
                            }

                            continue;
                        }

                        for (var r = 0; r < rows; r++)
                        {
                            AddLeaf(t, leaves[r], sums.Slice(r * k, k), block.Slice(r * f, f), values);
                        }
                    }
                }

                var outBlock = output.Slice(start * k, rows * k);
                if (_divisor is { } d)
                {
                    for (var i = 0; i < sums.Length; i++)
                    {
                        // Float32: the division happens in double and is rounded to float once, as before the transform.
                        outBlock[i] = double.CreateTruncating(T.CreateTruncating(_baseScores[i % k] + double.CreateTruncating(sums[i]) / d));
                    }
                }
                else
                {
                    for (var i = 0; i < sums.Length; i++)
                    {
                        outBlock[i] = double.CreateTruncating(sums[i]);
                    }
                }
            }
        }
        finally
        {
            if (accRented is not null) ArrayPool<T>.Shared.Return(accRented);
            if (castRented is not null) ArrayPool<double>.Shared.Return(castRented);
            if (columnsRented is not null) ArrayPool<double>.Shared.Return(columnsRented);
            if (filledRented is not null) ArrayPool<double>.Shared.Return(filledRented);
        }
    }

    /// <summary>
    /// One row through the trees of <see cref="_order"/>, <c>leaves.Length</c> trees at a time, summed in tree order;
    /// <paramref name="walk"/> and <paramref name="walkRow"/> as <see cref="LeavesOfTrees"/> takes them.
    /// </summary>
    private void SumRow<TCmp, T>(ReadOnlySpan<double> row, RowWalk walk, ReadOnlySpan<double> walkRow, Span<int> leaves, Span<T> sums, Values<T> values)
        where TCmp : struct, ISplitComparer
        where T : unmanaged, INumber<T>
    {
        for (var first = 0; first < _order.Length; first += leaves.Length)
        {
            var group = leaves[..Math.Min(leaves.Length, _order.Length - first)];
            LeavesOfTrees<TCmp>(row, walk, walkRow, first, group);
            for (var i = 0; i < group.Length; i++)
            {
                AddLeaf(_order[first + i], group[i], sums, row, values);
            }
        }
    }

    /// <summary>Adds tree <paramref name="tree"/>'s (weighted) output at leaf <paramref name="leaf"/> to one row's sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddLeaf<T>(int tree, int leaf, Span<T> sums, ReadOnlySpan<double> row, Values<T> values)
        where T : unmanaged, INumber<T>
    {
        var target = _treeOutputs[tree];
        if (target >= 0 && !_hasLinearLeaves)
        {
            var v = values.Node[leaf];
            sums[target] += _unitWeights ? v : v * values.Weights[tree];
            return;
        }

        ref readonly var node = ref _nodes[leaf];
        if (target < 0)
        {
            var vector = values.Leaf.AsSpan(node.Left, sums.Length);
            for (var j = 0; j < sums.Length; j++)
            {
                sums[j] += _unitWeights ? vector[j] : vector[j] * values.Weights[tree];
            }

            return;
        }

        var value = node.Right < 0 ? values.Leaf[node.Left] : T.CreateTruncating(LinearValue(node, row));
        sums[target] += _unitWeights ? value : value * values.Weights[tree];
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
}
