using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// Finding leaves. Trees made only of plain numeric splits (NaN to the default side, or NaN read as 0) are walked
/// branch-free over <see cref="WalkNode"/>s for exactly their depth, several walks interleaved so their memory
/// loads overlap: four rows through one tree in a batch, four trees for one row otherwise. Other trees
/// (categorical or zero-as-missing splits) take the general path, one node at a time.
/// </summary>
public sealed partial class TreeEnsemble
{
    /// <summary>Rows walked together through one tree.</summary>
    private const int RowLanes = 4;

    /// <summary>Trees walked together for one row.</summary>
    private const int TreeLanes = 8;

    private readonly WalkNode[] _walk;

    /// <summary>Per tree: steps from the root to its deepest leaf, or -1 when it needs the general path.</summary>
    private readonly int[] _walkDepth;

    /// <summary>Per position p of <see cref="_order"/>: the largest depth of its trees p..p+7 when all eight can be walked, else -1.</summary>
    private readonly int[] _groupDepth;

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

    /// <summary>Per position p of <paramref name="order"/>: the largest depth of trees order[p..p+7] when all eight can be walked, else -1.</summary>
    private static int[] GroupDepths(int[] order, int[] depth)
    {
        var groupDepth = new int[order.Length];
        for (var p = 0; p < order.Length; p++)
        {
            groupDepth[p] = -1;
            if (p + TreeLanes <= order.Length)
            {
                var group = order.AsSpan(p, TreeLanes).ToArray().Select(t => depth[t]).ToArray();
                if (Array.IndexOf(group, -1) < 0)
                {
                    groupDepth[p] = group.Max();
                }
            }
        }

        return groupDepth;
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

    /// <summary>The leaf each of the trees at positions <paramref name="first"/>.. of <see cref="_order"/> sends one row to (<c>leaves.Length</c> trees).</summary>
    private void LeavesOfTrees<TCmp, TNaN>(ReadOnlySpan<double> row, int first, Span<int> leaves)
        where TCmp : struct, ISplitComparer
        where TNaN : struct, IRowKind
    {
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_walk);
        ref var x = ref MemoryMarshal.GetReference(row);
        var i = 0;
        while (i < leaves.Length)
        {
            var p = first + i;
            var groupDepth = i + TreeLanes <= leaves.Length ? _groupDepth[p] : -1;
            if (groupDepth >= 0)
            {
                var roots = _orderRoots.AsSpan(p, TreeLanes);
                int a = roots[0], b = roots[1], c = roots[2], d = roots[3];
                int e = roots[4], g = roots[5], h = roots[6], k = roots[7];
                for (var s = 0; s < groupDepth; s++)
                {
                    a = Step<TCmp, TNaN>(ref nodes, a, ref x);
                    b = Step<TCmp, TNaN>(ref nodes, b, ref x);
                    c = Step<TCmp, TNaN>(ref nodes, c, ref x);
                    d = Step<TCmp, TNaN>(ref nodes, d, ref x);
                    e = Step<TCmp, TNaN>(ref nodes, e, ref x);
                    g = Step<TCmp, TNaN>(ref nodes, g, ref x);
                    h = Step<TCmp, TNaN>(ref nodes, h, ref x);
                    k = Step<TCmp, TNaN>(ref nodes, k, ref x);
                }

                leaves[i] = a;
                leaves[i + 1] = b;
                leaves[i + 2] = c;
                leaves[i + 3] = d;
                leaves[i + 4] = e;
                leaves[i + 5] = g;
                leaves[i + 6] = h;
                leaves[i + 7] = k;
                i += TreeLanes;
                continue;
            }

            var depth = _walkDepth[_order[p]];
            var index = _orderRoots[p];
            if (depth < 0)
            {
                index = FindLeaf<TCmp>(row, index);
            }
            else
            {
                index = Walk<TCmp, TNaN>(ref nodes, index, depth, ref x);
            }

            leaves[i] = index;
            i++;
        }
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
