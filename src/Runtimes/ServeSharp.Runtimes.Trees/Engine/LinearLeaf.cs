namespace ServeSharp.Runtimes.Trees.Engine;

/// <summary>
/// A leaf whose output is <c>Constant + Σ Coefficients[i] · x[Features[i]]</c> (LightGBM <c>linear_tree</c>),
/// summed in that order in double. When any of those features is NaN the leaf's plain value is used instead.
/// </summary>
/// <param name="Constant">The intercept.</param>
/// <param name="Features">Feature indices, one per coefficient.</param>
/// <param name="Coefficients">Coefficients, same length as <paramref name="Features"/>.</param>
public sealed record LinearLeaf(double Constant, int[] Features, double[] Coefficients);
