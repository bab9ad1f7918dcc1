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
    /// <summary>Interleaved walks per group.</summary>
    private const int Lanes = 4;

    private readonly WalkNode[] _walk;

    /// <summary>Per tree: steps from the root to its deepest leaf, or -1 when it needs the general path.</summary>
    private readonly int[] _walkDepth;

    /// <summary>Per tree t: the largest depth of trees t..t+3 when all four can be walked, else -1.</summary>
    private readonly int[] _groupDepth;

    /// <summary>Derives the walk layout (same node numbering as <paramref name="nodes"/>) and each tree's depth.</summary>
    private static (WalkNode[] Walk, int[] Depth, int[] GroupDepth) BuildWalk(
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

        var groupDepth = new int[roots.Length];
        for (var t = 0; t < roots.Length; t++)
        {
            groupDepth[t] = -1;
            if (t + Lanes <= roots.Length)
            {
                var d = Math.Min(Math.Min(depth[t], depth[t + 1]), Math.Min(depth[t + 2], depth[t + 3]));
                if (d >= 0)
                {
                    groupDepth[t] = Math.Max(Math.Max(depth[t], depth[t + 1]), Math.Max(depth[t + 2], depth[t + 3]));
                }
            }
        }

        return (walk, depth, groupDepth);
    }

    /// <summary>The leaf tree <paramref name="tree"/> sends each of <paramref name="rows"/> rows of <paramref name="block"/> to.</summary>
    private void LeavesOfRows<TCmp>(int tree, ReadOnlySpan<double> block, int rows, Span<int> leaves)
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
        for (; row + Lanes <= rows; row += Lanes)
        {
            ref var x0 = ref Unsafe.Add(ref x, row * f);
            ref var x1 = ref Unsafe.Add(ref x0, f);
            ref var x2 = ref Unsafe.Add(ref x1, f);
            ref var x3 = ref Unsafe.Add(ref x2, f);
            int a = root, b = root, c = root, d = root;
            for (var s = 0; s < depth; s++)
            {
                a = Step<TCmp>(ref nodes, a, ref x0);
                b = Step<TCmp>(ref nodes, b, ref x1);
                c = Step<TCmp>(ref nodes, c, ref x2);
                d = Step<TCmp>(ref nodes, d, ref x3);
            }

            leaves[row] = a;
            leaves[row + 1] = b;
            leaves[row + 2] = c;
            leaves[row + 3] = d;
        }

        for (; row < rows; row++)
        {
            ref var xr = ref Unsafe.Add(ref x, row * f);
            var i = root;
            for (var s = 0; s < depth; s++)
            {
                i = Step<TCmp>(ref nodes, i, ref xr);
            }

            leaves[row] = i;
        }
    }

    /// <summary>The leaf each of trees <paramref name="firstTree"/>.. sends one row to (<c>leaves.Length</c> trees).</summary>
    private void LeavesOfTrees<TCmp>(ReadOnlySpan<double> row, int firstTree, Span<int> leaves)
        where TCmp : struct, ISplitComparer
    {
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_walk);
        ref var x = ref MemoryMarshal.GetReference(row);
        var i = 0;
        while (i < leaves.Length)
        {
            var t = firstTree + i;
            var groupDepth = i + Lanes <= leaves.Length ? _groupDepth[t] : -1;
            if (groupDepth >= 0)
            {
                int a = _roots[t], b = _roots[t + 1], c = _roots[t + 2], d = _roots[t + 3];
                for (var s = 0; s < groupDepth; s++)
                {
                    a = Step<TCmp>(ref nodes, a, ref x);
                    b = Step<TCmp>(ref nodes, b, ref x);
                    c = Step<TCmp>(ref nodes, c, ref x);
                    d = Step<TCmp>(ref nodes, d, ref x);
                }

                leaves[i] = a;
                leaves[i + 1] = b;
                leaves[i + 2] = c;
                leaves[i + 3] = d;
                i += Lanes;
                continue;
            }

            var depth = _walkDepth[t];
            var index = _roots[t];
            if (depth < 0)
            {
                index = FindLeaf<TCmp>(row, index);
            }
            else
            {
                for (var s = 0; s < depth; s++)
                {
                    index = Step<TCmp>(ref nodes, index, ref x);
                }
            }

            leaves[i] = index;
            i++;
        }
    }

    /// <summary>One branch-free step: the child the row goes to (a leaf stays where it is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Step<TCmp>(ref WalkNode nodes, int index, ref double row)
        where TCmp : struct, ISplitComparer
    {
        ref var node = ref Unsafe.Add(ref nodes, index);
        var x = Unsafe.Add(ref row, node.Feature);
        var right = node.Right;
        var left = TCmp.GoesLeft(x, node.Threshold) | (double.IsNaN(x) & right < 0);
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
