using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// Finding leaves for a block of NaN-free rows by evaluating every split of a small tree for all rows at once, two
/// rows per vector instruction (the QuickScorer idea): each row starts with a bit per leaf, left to right, and each
/// split the row fails (goes right at) clears the bits of the leaves in that split's left subtree; the row's leaf is
/// the lowest bit left. Only the leaf it walks to survives every split on its path, and a leaf further left is
/// cleared by the split where the two paths part. Used for walkable trees of at most 64 leaves whose splits are few
/// for their depth, where it costs less than walking node by node; with no NaN, every walkable split is the plain
/// comparison, so the result is the walk's.
/// </summary>
public sealed partial class TreeEnsemble
{
    /// <summary>Largest number of splits per level of depth for which all splits are evaluated rather than walked.</summary>
    private const int MaskSplitsPerLevel = 4;

    /// <summary>Per tree: its first split in the <c>_mask*</c> split arrays, or -1 when it is walked instead.</summary>
    private readonly int[] _maskStart;

    /// <summary>Per tree: the end of its splits in the <c>_mask*</c> split arrays.</summary>
    private readonly int[] _maskEnd;

    private readonly int[] _maskFeature;
    private readonly double[] _maskThreshold;

    /// <summary>Per split: the bits of the leaves in its left subtree.</summary>
    private readonly ulong[] _maskLeft;

    /// <summary>Per tree: the index of its first leaf in <see cref="_maskLeaves"/>.</summary>
    private readonly int[] _maskLeafStart;

    /// <summary>Every masked tree's leaves, left to right, as node numbers.</summary>
    private readonly int[] _maskLeaves;

    /// <summary>Whether any tree is evaluated by masks.</summary>
    private readonly bool _hasMaskTrees;

    private static (int[] Start, int[] End, int[] Feature, double[] Threshold, ulong[] Left, int[] LeafStart, int[] Leaves) BuildMasks(
        TreeNode[] nodes, int[] roots, int[] walkDepth)
    {
        var start = new int[roots.Length];
        var end = new int[roots.Length];
        var leafStart = new int[roots.Length];
        var feature = new List<int>();
        var threshold = new List<double>();
        var left = new List<ulong>();
        var leaves = new List<int>();
        for (var t = 0; t < roots.Length; t++)
        {
            start[t] = -1;
            var treeEnd = t + 1 < roots.Length ? roots[t + 1] : nodes.Length;
            var depth = walkDepth[t];
            if (depth < 0)
            {
                continue;
            }

            // Pre-order numbering: leaves by node number are the leaves left to right, and a split's left subtree is
            // the nodes from the next one up to its right child.
            var leavesBefore = new int[treeEnd - roots[t] + 1];
            for (var i = roots[t]; i < treeEnd; i++)
            {
                leavesBefore[i - roots[t] + 1] = leavesBefore[i - roots[t]] + (nodes[i].Feature < 0 ? 1 : 0);
            }

            var leafCount = leavesBefore[^1];
            var splitCount = treeEnd - roots[t] - leafCount;
            if (leafCount > 64 || splitCount > MaskSplitsPerLevel * depth)
            {
                continue;
            }

            start[t] = feature.Count;
            leafStart[t] = leaves.Count;
            for (var i = roots[t]; i < treeEnd; i++)
            {
                ref readonly var node = ref nodes[i];
                if (node.Feature < 0)
                {
                    leaves.Add(i);
                    continue;
                }

                var low = leavesBefore[i + 1 - roots[t]];
                var high = leavesBefore[node.Right - roots[t]];
                feature.Add(node.Feature);
                threshold.Add(node.Threshold);
                left.Add(((1UL << (high - low)) - 1) << low);
            }

            end[t] = feature.Count;
        }

        return (start, end, feature.ToArray(), threshold.ToArray(), left.ToArray(), leafStart, leaves.ToArray());
    }

    /// <summary>
    /// Copies <paramref name="rows"/> rows of <paramref name="block"/> into <paramref name="columns"/> feature by
    /// feature, each column <paramref name="stride"/> values long (rows rounded up to whole vectors; the rest zero).
    /// </summary>
    private void ToColumns(ReadOnlySpan<double> block, int rows, int stride, Span<double> columns)
    {
        var f = FeatureCount;
        columns.Clear();
        for (var r = 0; r < rows; r++)
        {
            var row = block.Slice(r * f, f);
            for (var j = 0; j < row.Length; j++)
            {
                columns[j * stride + r] = row[j];
            }
        }
    }

    /// <summary>
    /// Each row's leaf bits after every split of masked tree <paramref name="tree"/>: the lowest set bit is the leaf the
    /// row reaches. The rows are <paramref name="columns"/> (see <see cref="ToColumns"/>); the result is the first
    /// <paramref name="stride"/> values of <paramref name="masks"/>.
    /// </summary>
    private Span<ulong> Masks<TCmp>(int tree, ReadOnlySpan<double> columns, int stride, Span<ulong> masks)
        where TCmp : struct, ISplitComparer
    {
        var bits = masks[..stride];
        bits.Fill(ulong.MaxValue);
        ref var b = ref MemoryMarshal.GetReference(bits);
        ref var x = ref MemoryMarshal.GetReference(columns);
        for (var n = _maskStart[tree]; n < _maskEnd[tree]; n++)
        {
            ref var column = ref Unsafe.Add(ref x, _maskFeature[n] * stride);
            var threshold = Vector128.Create(_maskThreshold[n]);
            var left = Vector128.Create(_maskLeft[n]);
            for (nuint r = 0; r < (nuint)stride; r += (nuint)Vector128<double>.Count)
            {
                var right = TCmp.GoesRight(Vector128.LoadUnsafe(ref column, r), threshold).AsUInt64();
                Vector128.AndNot(Vector128.LoadUnsafe(ref b, r), right & left).StoreUnsafe(ref b, r);
            }
        }

        return bits;
    }

    /// <summary>The leaf (node number) each of <paramref name="rows"/> rows reaches, from its <see cref="Masks{TCmp}"/> bits.</summary>
    private void LeavesOfMasks(int tree, ReadOnlySpan<ulong> bits, int rows, Span<int> leaves)
    {
        var first = _maskLeafStart[tree];
        for (var r = 0; r < rows; r++)
        {
            leaves[r] = _maskLeaves[first + BitOperations.TrailingZeroCount(bits[r])];
        }
    }

    /// <summary>
    /// Adds masked tree <paramref name="tree"/>'s (weighted) leaf value to each row's sum, from the rows'
    /// <see cref="Masks{TCmp}"/> bits: <paramref name="column"/>[r · <paramref name="k"/>] is row r's sum of the tree's output.
    /// </summary>
    private void SumByMasks<T>(int tree, ReadOnlySpan<ulong> bits, int rows, Span<T> column, int k, Values<T> values)
        where T : unmanaged, INumber<T>
    {
        // Bits above the tree's leaves are never cleared and a row's own leaf bit never is, so the lowest set bit is
        // always one of the tree's leaves; column holds (rows - 1) · k + 1 values at least.
        ref var leafValues = ref values.MaskLeaf[_maskLeafStart[tree]];
        ref var sums = ref MemoryMarshal.GetReference(column);
        if (_unitWeights)
        {
            for (var r = 0; r < rows; r++)
            {
                Unsafe.Add(ref sums, r * k) += Unsafe.Add(ref leafValues, BitOperations.TrailingZeroCount(bits[r]));
            }
        }
        else
        {
            var weight = values.Weights[tree];
            for (var r = 0; r < rows; r++)
            {
                Unsafe.Add(ref sums, r * k) += Unsafe.Add(ref leafValues, BitOperations.TrailingZeroCount(bits[r])) * weight;
            }
        }
    }
}
