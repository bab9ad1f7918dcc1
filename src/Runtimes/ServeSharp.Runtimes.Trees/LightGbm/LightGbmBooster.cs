using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Trees.LightGbm;

/// <summary>What a LightGBM text model holds.</summary>
internal sealed class LightGbmBooster
{
    public required int FeatureCount { get; init; }

    public required int TreesPerIteration { get; init; }

    public required int ClassCount { get; init; }

    public required LightGbmObjective Objective { get; init; }

    /// <summary>Random-forest mode: the raw score is the sum divided by the number of iterations.</summary>
    public required bool AverageOutput { get; init; }

    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>How many pandas <c>category</c> columns the Python package recorded (<see cref="PandasCategorical"/>); null = none recorded.</summary>
    public int? PandasCategoryColumns { get; init; }

    /// <summary>Trees in file order; tree <c>t</c> adds to output <c>t % TreesPerIteration</c>.</summary>
    public required IReadOnlyList<TreeArrays> Trees { get; init; }
}
