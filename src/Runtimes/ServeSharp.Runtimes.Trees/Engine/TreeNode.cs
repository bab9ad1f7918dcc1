using System.Runtime.InteropServices;

namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// One compiled node, 32 bytes (two per cache line). Splits: <see cref="Feature"/> ≥ 0 and absolute child indices.
/// Leaves: <see cref="Feature"/> = -1, <see cref="Left"/> = offset of the leaf's values, <see cref="Right"/> = linear
/// leaf index or -1.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TreeNode
{
    public const int DefaultLeftFlag = 1;
    public const int CategoricalFlag = 2;
    public const int MissingRuleShift = 2;
    public const int MissingRuleMask = 3 << MissingRuleShift;

    public double Threshold;
    public int Feature;
    public int Left;
    public int Right;
    public int Flags;
    public int BitsetOffset;
    public int BitsetWords;
}
