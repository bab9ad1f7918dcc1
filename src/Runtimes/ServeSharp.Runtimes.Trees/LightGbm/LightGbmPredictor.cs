using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Trees.LightGbm;

/// <summary>
/// Computes what LightGBM's <c>Booster.predict(x)</c> returns: raw scores summed in double in tree order
/// (<c>GBDT::PredictRaw</c>), divided by the iteration count for <c>average_output</c>, then the objective's
/// <c>ConvertOutput</c>.
/// </summary>
internal sealed class LightGbmPredictor
{
    // LightGBM's kZeroThreshold (1e-35f): dense rows drop values this close to zero, so the trees see exactly 0.
    private const double ZeroThreshold = 1e-35f;

    private readonly TreeEnsemble _ensemble;
    private readonly LightGbmObjective _objective;

    private LightGbmPredictor(LightGbmBooster booster, TreeEnsemble ensemble)
    {
        _ensemble = ensemble;
        _objective = booster.Objective;
        FeatureCount = booster.FeatureCount;
        OutputCount = booster.TreesPerIteration;
        FeatureNames = booster.FeatureNames;
    }

    public int FeatureCount { get; }

    public int OutputCount { get; }

    public IReadOnlyList<string>? FeatureNames { get; }

    /// <exception cref="TreeStructureException">A tree is malformed.</exception>
    public static LightGbmPredictor Create(LightGbmBooster booster)
    {
        var k = booster.TreesPerIteration;
        var builder = new TreeEnsembleBuilder(booster.FeatureCount, k)
        {
            Comparison = SplitComparison.LessOrEqual,
            Accumulation = AccumulationPrecision.Float64,
            CategoryInSetGoesLeft = true,
            CategoryCast = CategoryCast.TruncateTowardZero,
        };
        if (booster.AverageOutput && booster.Trees.Count > 0)
        {
            builder.Divisor = booster.Trees.Count / k;
        }

        for (var t = 0; t < booster.Trees.Count; t++)
        {
            builder.AddTree(booster.Trees[t], t % k);
        }

        return new LightGbmPredictor(booster, builder.Build());
    }

    /// <summary>Predicts <paramref name="rows"/> rows (copied; not modified); returns rows × <see cref="OutputCount"/> doubles.</summary>
    public double[] Predict(ReadOnlySpan<double> features, int rows)
    {
        var input = features.ToArray();
        for (var i = 0; i < input.Length; i++)
        {
            if (Math.Abs(input[i]) <= ZeroThreshold)
            {
                input[i] = 0.0;
            }
        }

        var k = OutputCount;
        var output = new double[rows * k];
        _ensemble.PredictRaw(input, rows, output);
        for (var r = 0; r < rows; r++)
        {
            _objective.Convert(output.AsSpan(r * k, k));
        }

        return output;
    }
}
