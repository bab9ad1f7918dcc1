using System.Runtime.InteropServices;

namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// One node as the branch-free walk sees it (16 bytes, four per cache line). Nodes are in pre-order, so a split's
/// left child is the next node. A split sends the row left when the comparison holds, or when the value is NaN and
/// <see cref="DefaultLeftBit"/> is set in <see cref="Right"/>; otherwise to <c>Right &amp; int.MaxValue</c>. A leaf
/// has a NaN threshold (every comparison fails) and points right to itself, so walking a tree for its full depth
/// always ends on the right leaf without a data-dependent branch.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WalkNode
{
    public const int DefaultLeftBit = int.MinValue;

    public double Threshold;
    public int Feature;
    public int Right;
}
