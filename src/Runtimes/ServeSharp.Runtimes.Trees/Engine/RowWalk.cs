using System.Runtime.InteropServices;

namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// The layout single rows are walked over. Each walkable tree's nodes are laid out breadth-first with a split's two
/// children side by side, so a step is <c>next = FirstChild + (goes right ? 1 : 0)</c>: no select between two child
/// numbers. A leaf has a NaN threshold (no comparison sends a row right) and is its own first child, so walking a
/// tree for its full depth ends on the leaf the row reaches. Positions are counted in 8-byte units (two per node), which lets
/// the step address a node without a multiply.
/// </summary>
/// <remarks>
/// Built for rows as they are (no NaN), or for filled rows (<see cref="TreeEnsemble"/> fills a row with missing
/// values into two copies, NaN as -∞ and as +∞): then a split whose default side is right reads the +∞ copy, at
/// <c>Feature + featureCount</c>. A tree with a threshold that is not finite is not walked filled (an infinite fill
/// could equal it, and a NaN threshold sends even the -∞ fill right; LightGBM writes <c>inf</c> for "every value left,
/// NaN to the default"): depth -1.
/// </remarks>
internal sealed class RowWalk
{
    /// <summary>Trees walked together for one row.</summary>
    public const int TreeLanes = 8;

    private RowWalk(RowWalkNode[] nodes, int[] origin, int[] depth, int[] groupDepth, uint[] orderRoots)
    {
        Nodes = nodes;
        Origin = origin;
        Depth = depth;
        GroupDepth = groupDepth;
        OrderRoots = orderRoots;
    }

    /// <summary>The nodes of every walkable tree.</summary>
    public RowWalkNode[] Nodes { get; }

    /// <summary>Per node of <see cref="Nodes"/>: its compiled node number (the ensemble's numbering).</summary>
    public int[] Origin { get; }

    /// <summary>Per tree: steps from the root to its deepest leaf, or -1 when the tree takes the general path.</summary>
    public int[] Depth { get; }

    /// <summary>Per position p of the evaluation order: the largest depth of trees p..p+7 when all eight are walked, else -1.</summary>
    public int[] GroupDepth { get; }

    /// <summary>Per position of the evaluation order: the tree's root, in 8-byte units (meaningless for a tree not walked).</summary>
    public uint[] OrderRoots { get; }

    /// <summary>The walk for rows as they are (no NaN).</summary>
    /// <param name="walk">The ensemble's pre-order walk nodes (a split's left child is the next node).</param>
    /// <param name="roots">Each tree's root in <paramref name="walk"/>.</param>
    /// <param name="walkDepth">Each tree's depth, -1 for trees that are never walked.</param>
    /// <param name="order">The trees evaluated per row, in order.</param>
    public static RowWalk Build(WalkNode[] walk, int[] roots, int[] walkDepth, int[] order)
    {
        var nodes = new RowWalkNode[walk.Length];
        var origin = new int[walk.Length];
        var treeRoot = new uint[roots.Length];
        var count = 0;
        var queue = new Queue<(int Node, int Slot)>();
        for (var t = 0; t < roots.Length; t++)
        {
            if (walkDepth[t] < 0)
            {
                continue;
            }

            treeRoot[t] = (uint)count * 2;
            queue.Enqueue((roots[t], count++));
            while (queue.TryDequeue(out var item))
            {
                var node = walk[item.Node];
                origin[item.Slot] = item.Node;
                var right = node.Right & int.MaxValue;
                if (right == item.Node)
                {
                    nodes[item.Slot] = new RowWalkNode { Threshold = double.NaN, Feature = 0, FirstChild = (uint)item.Slot * 2 };
                    continue;
                }

                nodes[item.Slot] = new RowWalkNode { Threshold = node.Threshold, Feature = (uint)node.Feature, FirstChild = (uint)count * 2 };
                queue.Enqueue((item.Node + 1, count++));
                queue.Enqueue((right, count++));
            }
        }

        return new RowWalk(
            nodes[..count], origin[..count], (int[])walkDepth.Clone(), GroupDepths(order, walkDepth), Array.ConvertAll(order, t => treeRoot[t]));
    }

    /// <summary>
    /// The same layout for filled rows of 2 × <paramref name="featureCount"/> values: a split whose default side is
    /// right reads the +∞ copy; trees with a threshold that is not finite are not walked. Shares
    /// <see cref="Origin"/> and <see cref="OrderRoots"/> with this walk.
    /// </summary>
    /// <param name="walk">The walk nodes this walk was built from.</param>
    /// <param name="roots">Each tree's root in <paramref name="walk"/>.</param>
    /// <param name="order">The trees evaluated per row, in order.</param>
    /// <param name="featureCount">Features per row.</param>
    public RowWalk ForFilledRows(WalkNode[] walk, int[] roots, int[] order, int featureCount)
    {
        var nodes = (RowWalkNode[])Nodes.Clone();
        for (var slot = 0; slot < nodes.Length; slot++)
        {
            var node = Origin[slot];
            var right = walk[node].Right;
            if ((right & int.MaxValue) != node && (right & WalkNode.DefaultLeftBit) == 0)
            {
                nodes[slot].Feature += (uint)featureCount;
            }
        }

        var depth = (int[])Depth.Clone();
        for (var t = 0; t < roots.Length; t++)
        {
            var end = t + 1 < roots.Length ? roots[t + 1] : walk.Length;
            if (depth[t] >= 0 && !AllThresholdsFinite(walk, roots[t], end))
            {
                depth[t] = -1;
            }
        }

        return new RowWalk(nodes, Origin, depth, GroupDepths(order, depth), OrderRoots);
    }

    private static bool AllThresholdsFinite(WalkNode[] walk, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if ((walk[i].Right & int.MaxValue) != i && !double.IsFinite(walk[i].Threshold))
            {
                return false;
            }
        }

        return true;
    }

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
}

/// <summary>One node of a <see cref="RowWalk"/> (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RowWalkNode
{
    public double Threshold;

    /// <summary>The value of the row the split reads.</summary>
    public uint Feature;

    /// <summary>The left child's position in 8-byte units; the right child follows it. A leaf's own position.</summary>
    public uint FirstChild;
}
