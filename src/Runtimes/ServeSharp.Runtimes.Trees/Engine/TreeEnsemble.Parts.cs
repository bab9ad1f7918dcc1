using System.Runtime.Intrinsics;

namespace ServeSharp.Runtimes.Trees.Engine;

public sealed partial class TreeEnsemble
{
    /// <summary>Everything <see cref="TreeEnsembleBuilder"/> hands over; arrays are owned by the ensemble.</summary>
    internal sealed class Parts
    {
        public required int FeatureCount { get; init; }
        public required int OutputCount { get; init; }
        public required SplitComparison Comparison { get; init; }
        public required AccumulationPrecision Accumulation { get; init; }
        public required bool CastFeaturesToFloat32 { get; init; }
        public required bool CategoryInSetGoesLeft { get; init; }
        public required CategoryCast CategoryCast { get; init; }
        public required double[] BaseScores { get; init; }
        public required double? Divisor { get; init; }
        public required TreeNode[] Nodes { get; init; }
        public required int[] Roots { get; init; }
        public required int[] TreeOutputs { get; init; }
        public required double[] TreeWeights { get; init; }
        public required double[] LeafValues { get; init; }
        public required uint[] Bitsets { get; init; }
        public required double[] LinearConstants { get; init; }
        public required int[] LinearStarts { get; init; }
        public required int[] LinearFeatures { get; init; }
        public required double[] LinearCoefficients { get; init; }
    }

    /// <summary>Numeric split comparison, specialised per ensemble through a struct type argument.</summary>
    private interface ISplitComparer
    {
        static abstract bool GoesLeft(double x, double threshold);

        /// <summary><see cref="GoesLeft"/> or NaN (one unordered comparison, cheaper than a separate NaN test).</summary>
        static abstract bool GoesLeftOrUnordered(double x, double threshold);

        /// <summary>Whether a value that is not NaN goes right (for a NaN threshold: never).</summary>
        static abstract bool GoesRight(double x, double threshold);

        /// <summary>Per lane, all bits set where a value that is not NaN goes right.</summary>
        static abstract Vector128<double> GoesRight(Vector128<double> x, Vector128<double> threshold);
    }

    /// <summary>Whether the rows being walked may hold NaN; walks of NaN-free rows skip the default-side test.</summary>
    private interface IRowKind
    {
        static abstract bool MayHaveNaN { get; }
    }

    private readonly struct WithNaN : IRowKind
    {
        public static bool MayHaveNaN => true;
    }

    private readonly struct WithoutNaN : IRowKind
    {
        public static bool MayHaveNaN => false;
    }

    private readonly struct LessThan : ISplitComparer
    {
        public static bool GoesLeft(double x, double threshold) => x < threshold;

        public static bool GoesLeftOrUnordered(double x, double threshold) => !(x >= threshold);

        public static bool GoesRight(double x, double threshold) => x >= threshold;

        public static Vector128<double> GoesRight(Vector128<double> x, Vector128<double> threshold) =>
            Vector128.GreaterThanOrEqual(x, threshold);
    }

    private readonly struct LessOrEqual : ISplitComparer
    {
        public static bool GoesLeft(double x, double threshold) => x <= threshold;

        public static bool GoesLeftOrUnordered(double x, double threshold) => !(x > threshold);

        public static bool GoesRight(double x, double threshold) => x > threshold;

        public static Vector128<double> GoesRight(Vector128<double> x, Vector128<double> threshold) =>
            Vector128.GreaterThan(x, threshold);
    }

    /// <summary>Leaf values and tree weights in the accumulation type (rounded once at build for float32).</summary>
    /// <param name="Leaf">Leaf values by value offset (vector leaves are consecutive).</param>
    /// <param name="Node">A leaf's (first) value by node number.</param>
    /// <param name="Weights">Tree weights.</param>
    /// <param name="Start">
    /// Per output, what its sum starts from: the base score (zero when the sum is divided) plus the folded trees'
    /// values, added in tree order.
    /// </param>
    /// <param name="MaskLeaf">The masked trees' leaf values, in <c>_maskLeaves</c> order.</param>
    private sealed record Values<T>(T[] Leaf, T[] Node, T[] Weights, T[] Start, T[] MaskLeaf);
}
