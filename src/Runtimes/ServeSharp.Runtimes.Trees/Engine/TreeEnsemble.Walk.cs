using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// Finding leaves. Trees made only of plain numeric splits (NaN to the default side, or NaN read as 0) are walked
/// branch-free for exactly their depth, several walks interleaved so their memory loads overlap: four rows through
/// one tree over <see cref="WalkNode"/>s in a batch; eight trees for one row over a <see cref="RowWalk"/> otherwise,
/// with a row that has missing values filled first. Other trees (categorical or zero-as-missing splits) take the
/// general path, one node at a time.
/// </summary>
public sealed partial class TreeEnsemble
{
    /// <summary>Rows walked together through one tree.</summary>
    private const int RowLanes = 4;

    private readonly WalkNode[] _walk;

    /// <summary>Per tree: steps from the root to its deepest leaf, or -1 when it needs the general path.</summary>
    private readonly int[] _walkDepth;

    /// <summary>How a single row without missing values is walked (reading the row itself).</summary>
    private readonly RowWalk _rowWalk;

    /// <summary>
    /// How a single row with a missing value is walked: filled first (<see cref="FillMissing"/>), so that each split
    /// reads the copy of its feature that sends NaN to the split's default side and the walk needs no NaN test.
    /// </summary>
    private readonly RowWalk _filledWalk;

    /// <summary>Derives the walk layout (same node numbering as <paramref name="nodes"/>) and each tree's depth.</summary>
    private static (WalkNode[] Walk, int[] Depth) BuildWalk(
        TreeNode[] nodes, int[] roots, int featureCount, SplitComparison comparison)
    {
        var walk = new WalkNode[nodes.Length];
        var depth = new int[roots.Length];
        var nodeDepth = new int[nodes.Length];
        for (var t = 0; t < roots.Length; t++)
        {
            var end = t + 1 < roots.Length ? roots[t + 1] : nodes.Length;
            var walkable = featureCount > 0;
            var maxDepth = 0;
            nodeDepth[roots[t]] = 0;
            // Pre-order: a parent always comes before its children.
            for (var i = roots[t]; i < end; i++)
            {
                ref readonly var node = ref nodes[i];
                if (node.Feature < 0)
                {
                    walk[i] = new WalkNode { Threshold = double.NaN, Feature = 0, Right = i };
                    maxDepth = Math.Max(maxDepth, nodeDepth[i]);
                    continue;
                }

                nodeDepth[node.Left] = nodeDepth[node.Right] = nodeDepth[i] + 1;
                var rule = (MissingValueRule)((node.Flags & TreeNode.MissingRuleMask) >> TreeNode.MissingRuleShift);
                var defaultLeft = (node.Flags & TreeNode.DefaultLeftFlag) != 0;
                if ((node.Flags & TreeNode.CategoricalFlag) != 0 || rule == MissingValueRule.ZeroOrNaN || node.Left != i + 1)
                {
                    walkable = false;
                }
                else if (rule == MissingValueRule.NaNAsZero)
                {
                    // NaN is compared as 0, which always goes the same way: make that the default side.
                    defaultLeft = comparison == SplitComparison.LessThan ? 0.0 < node.Threshold : 0.0 <= node.Threshold;
                }

                walk[i] = new WalkNode
                {
                    Threshold = node.Threshold, Feature = node.Feature, Right = node.Right | (defaultLeft ? WalkNode.DefaultLeftBit : 0),
                };
            }

            depth[t] = walkable ? maxDepth : -1;
        }

        return (walk, depth);
    }

    /// <summary>
    /// Writes the two copies of <paramref name="row"/> <see cref="_filledWalk"/> reads: NaN as -∞ in the first
    /// <c>row.Length</c> values, as +∞ in the next.
    /// </summary>
    private static void FillMissing(ReadOnlySpan<double> row, Span<double> filled)
    {
        var right = filled.Slice(row.Length, row.Length);
        for (var j = 0; j < row.Length; j++)
        {
            var x = row[j];
            var missing = double.IsNaN(x);
            filled[j] = missing ? double.NegativeInfinity : x;
            right[j] = missing ? double.PositiveInfinity : x;
        }
    }

    /// <summary>
    /// The leaf tree <paramref name="tree"/> sends each of <paramref name="rows"/> rows of <paramref name="block"/> to;
    /// <paramref name="anyNaN"/> is whether any of <paramref name="rowHasNaN"/> is set.
    /// </summary>
    private void LeavesOfRows<TCmp>(int tree, ReadOnlySpan<double> block, int rows, ReadOnlySpan<bool> rowHasNaN, bool anyNaN, Span<int> leaves)
        where TCmp : struct, ISplitComparer
    {
        var f = FeatureCount;
        var root = _roots[tree];
        var depth = _walkDepth[tree];
        if (depth < 0)
        {
            for (var r = 0; r < rows; r++)
            {
                leaves[r] = FindLeaf<TCmp>(block.Slice(r * f, f), root);
            }

            return;
        }

        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_walk);
        ref var x = ref MemoryMarshal.GetReference(block);
        var row = 0;
        for (; row + RowLanes <= rows; row += RowLanes)
        {
            ref var x0 = ref Unsafe.Add(ref x, row * f);
            ref var x1 = ref Unsafe.Add(ref x0, f);
            ref var x2 = ref Unsafe.Add(ref x1, f);
            ref var x3 = ref Unsafe.Add(ref x2, f);
            var group = leaves.Slice(row, RowLanes);
            if (anyNaN && rowHasNaN.Slice(row, RowLanes).Contains(true))
            {
                WalkRows<TCmp, WithNaN>(ref nodes, root, depth, ref x0, ref x1, ref x2, ref x3, group);
            }
            else
            {
                WalkRows<TCmp, WithoutNaN>(ref nodes, root, depth, ref x0, ref x1, ref x2, ref x3, group);
            }
        }

        for (; row < rows; row++)
        {
            ref var xr = ref Unsafe.Add(ref x, row * f);
            leaves[row] = rowHasNaN[row] ? Walk<TCmp, WithNaN>(ref nodes, root, depth, ref xr) : Walk<TCmp, WithoutNaN>(ref nodes, root, depth, ref xr);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WalkRows<TCmp, TNaN>(
        ref WalkNode nodes, int root, int depth, ref double x0, ref double x1, ref double x2, ref double x3, Span<int> leaves)
        where TCmp : struct, ISplitComparer
        where TNaN : struct, IRowKind
    {
        int a = root, b = root, c = root, d = root;
        for (var s = 0; s < depth; s++)
        {
            a = Step<TCmp, TNaN>(ref nodes, a, ref x0);
            b = Step<TCmp, TNaN>(ref nodes, b, ref x1);
            c = Step<TCmp, TNaN>(ref nodes, c, ref x2);
            d = Step<TCmp, TNaN>(ref nodes, d, ref x3);
        }

        leaves[0] = a;
        leaves[1] = b;
        leaves[2] = c;
        leaves[3] = d;
    }

    private static int Walk<TCmp, TNaN>(ref WalkNode nodes, int index, int depth, ref double row)
        where TCmp : struct, ISplitComparer
        where TNaN : struct, IRowKind
    {
        for (var s = 0; s < depth; s++)
        {
            index = Step<TCmp, TNaN>(ref nodes, index, ref row);
        }

        return index;
    }

    /// <summary>
    /// The leaf (compiled node number) each of the trees at positions <paramref name="first"/>.. of
    /// <see cref="_order"/> sends one row to (<c>leaves.Length</c> trees): trees <paramref name="walk"/> walks go over
    /// its nodes reading <paramref name="walkRow"/> (the row itself, or the filled row), eight at a time so their memory
    /// loads overlap; others take the general path over <paramref name="row"/>.
    /// </summary>
    private void LeavesOfTrees<TCmp>(ReadOnlySpan<double> row, RowWalk walk, ReadOnlySpan<double> walkRow, int first, Span<int> leaves)
        where TCmp : struct, ISplitComparer
    {
        ref var units = ref Unsafe.As<RowWalkNode, double>(ref MemoryMarshal.GetArrayDataReference(walk.Nodes));
        ref var x = ref MemoryMarshal.GetReference(walkRow);
        var origin = walk.Origin;
        var i = 0;
        while (i < leaves.Length)
        {
            var p = first + i;
            var groupDepth = i + RowWalk.TreeLanes <= leaves.Length ? walk.GroupDepth[p] : -1;
            if (groupDepth >= 0)
            {
                var group = leaves.Slice(i, RowWalk.TreeLanes);
                WalkEight<TCmp>(ref units, ref x, walk.OrderRoots.AsSpan(p, RowWalk.TreeLanes), groupDepth, group);
                foreach (ref var leaf in group)
                {
                    leaf = origin[leaf];
                }

                i += RowWalk.TreeLanes;
                continue;
            }

            var depth = walk.Depth[_order[p]];
            if (depth < 0)
            {
                leaves[i] = FindLeaf<TCmp>(row, _orderRoots[p]);
            }
            else
            {
                nuint unit = walk.OrderRoots[p];
                for (var s = 0; s < depth; s++)
                {
                    unit = RowStep<TCmp>(ref units, unit, ref x);
                }

                leaves[i] = origin[unit >> 1];
            }

            i++;
        }
    }

    /// <summary>
    /// Walks the eight trees rooted at <paramref name="roots"/> for <paramref name="depth"/> steps, interleaved so their
    /// memory loads overlap, and writes the node each ends on (as a <see cref="RowWalk.Nodes"/> index) to
    /// <paramref name="slots"/>. Not inlined: on its own the walk keeps all eight positions in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WalkEight<TCmp>(ref double units, ref double x, ReadOnlySpan<uint> roots, int depth, Span<int> slots)
        where TCmp : struct, ISplitComparer
    {
        nuint a = roots[0], b = roots[1], c = roots[2], d = roots[3];
        nuint e = roots[4], g = roots[5], h = roots[6], k = roots[7];
        for (var s = 0; s < depth; s++)
        {
            a = RowStep<TCmp>(ref units, a, ref x);
            b = RowStep<TCmp>(ref units, b, ref x);
            c = RowStep<TCmp>(ref units, c, ref x);
            d = RowStep<TCmp>(ref units, d, ref x);
            e = RowStep<TCmp>(ref units, e, ref x);
            g = RowStep<TCmp>(ref units, g, ref x);
            h = RowStep<TCmp>(ref units, h, ref x);
            k = RowStep<TCmp>(ref units, k, ref x);
        }

        // The last slot first: one bounds check covers all eight writes.
        slots[7] = (int)(k >> 1);
        slots[0] = (int)(a >> 1);
        slots[1] = (int)(b >> 1);
        slots[2] = (int)(c >> 1);
        slots[3] = (int)(d >> 1);
        slots[4] = (int)(e >> 1);
        slots[5] = (int)(g >> 1);
        slots[6] = (int)(h >> 1);
    }

    /// <summary>One step of a <see cref="RowWalk"/>: the position (8-byte units) of the child the row goes to; a leaf stays.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint RowStep<TCmp>(ref double units, nuint unit, ref double row)
        where TCmp : struct, ISplitComparer
    {
        ref var node = ref Unsafe.As<double, RowWalkNode>(ref Unsafe.Add(ref units, unit));
        var x = Unsafe.Add(ref row, (nuint)node.Feature);
        var right = (nuint)Unsafe.BitCast<bool, byte>(TCmp.GoesRight(x, node.Threshold));
        return node.FirstChild + right * 2;
    }

    /// <summary>One branch-free step: the child the row goes to (a leaf stays where it is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Step<TCmp, TNaN>(ref WalkNode nodes, int index, ref double row)
        where TCmp : struct, ISplitComparer
        where TNaN : struct, IRowKind
    {
        ref var node = ref Unsafe.Add(ref nodes, index);
        var x = Unsafe.Add(ref row, node.Feature);
        var right = node.Right;
        var left = TNaN.MayHaveNaN
            ? TCmp.GoesLeft(x, node.Threshold) | (TCmp.GoesLeftOrUnordered(x, node.Threshold) & right < 0)
            : TCmp.GoesLeft(x, node.Threshold);
        // Arithmetic select: a conditional here compiles to a branch, mispredicted half the time.
        var rightChild = right & int.MaxValue;
        return rightChild + ((index + 1 - rightChild) & -Unsafe.BitCast<bool, byte>(left));
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
