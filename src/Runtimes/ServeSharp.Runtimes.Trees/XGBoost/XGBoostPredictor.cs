using System.Buffers;
using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Trees.XGBoost;

/// <summary>
/// Computes what <c>Booster.predict(DMatrix(x))</c> returns for a loaded booster: float32 inputs (NaN = missing),
/// float32 accumulation from the base margin in tree order, then the objective's transform.
/// </summary>
internal sealed class XGBoostPredictor
{
    /// <summary>Upper bound on classes/targets, so a corrupt count cannot trigger a huge allocation.</summary>
    public const int MaxOutputGroups = 1 << 16;

    private readonly XGBoostObjective _objective;
    private readonly TreeEnsemble? _ensemble;
    private readonly float[]? _linearWeights;
    private readonly float _baseMargin;

    private XGBoostPredictor(XGBoostBooster booster, XGBoostObjective objective, float baseMargin, TreeEnsemble? ensemble)
    {
        _objective = objective;
        _baseMargin = baseMargin;
        _ensemble = ensemble;
        _linearWeights = booster.LinearWeights;
        FeatureCount = booster.FeatureCount;
        Groups = booster.OutputGroups;
        FeatureNames = booster.FeatureNames;
    }

    public int FeatureCount { get; }

    /// <summary>Margins per row (classes or targets).</summary>
    public int Groups { get; }

    /// <summary>Values per output row: 1 for multi:softmax and single-output models, else <see cref="Groups"/>.</summary>
    public int OutputWidth => _objective.CollapsesGroups ? 1 : Groups;

    public IReadOnlyList<string>? FeatureNames { get; }

    /// <exception cref="FormatException">The booster is inconsistent or unsupported.</exception>
    /// <exception cref="TreeStructureException">A tree is malformed.</exception>
    public static XGBoostPredictor Create(XGBoostBooster booster)
    {
        var objective = XGBoostObjective.Create(booster.Objective);
        var baseMargin = booster.BaseScoreIsMargin ? booster.BaseScore : objective.ProbToMargin(booster.BaseScore);
        var groups = booster.OutputGroups;
        if (groups > MaxOutputGroups)
        {
            throw new FormatException($"{groups} output groups (num_class/num_target) exceed the limit of {MaxOutputGroups}");
        }

        if (booster.FeatureCount <= 0)
        {
            throw new FormatException($"num_feature is {booster.FeatureCount}");
        }

        if (booster.BoosterName == "gblinear")
        {
            var expected = (long)(booster.FeatureCount + 1) * groups;
            if (booster.LinearWeights is null || booster.LinearWeights.Length != expected)
            {
                throw new FormatException(
                    $"gblinear has {booster.LinearWeights?.Length ?? 0} weights; expected (num_feature + 1) × {groups} = {expected}");
            }

            return new XGBoostPredictor(booster, objective, baseMargin, null);
        }

        if (booster.TreeInfo.Length != booster.Trees.Count)
        {
            throw new FormatException($"tree_info has {booster.TreeInfo.Length} entries for {booster.Trees.Count} trees");
        }

        if (booster.WeightDrop is not null && booster.WeightDrop.Length != booster.Trees.Count)
        {
            throw new FormatException($"weight_drop has {booster.WeightDrop.Length} entries for {booster.Trees.Count} trees");
        }

        var builder = new TreeEnsembleBuilder(booster.FeatureCount, groups)
        {
            Comparison = SplitComparison.LessThan,
            Accumulation = AccumulationPrecision.Float32,
            CastFeaturesToFloat32 = true,
            CategoryInSetGoesLeft = false,
            CategoryCast = CategoryCast.RejectNegative,
            BaseScores = Enumerable.Repeat((double)baseMargin, groups).ToArray(),
        };
        for (var t = 0; t < booster.Trees.Count; t++)
        {
            var tree = booster.Trees[t];
            var group = booster.TreeInfo[t];
            if ((uint)group >= (uint)groups)
            {
                throw new FormatException($"tree {t} belongs to output group {group}, outside 0..{groups - 1}");
            }

            builder.AddTree(
                new TreeArrays
                {
                    LeftChild = tree.LeftChildren,
                    RightChild = tree.RightChildren,
                    SplitFeature = tree.SplitIndices,
                    Threshold = Array.ConvertAll(tree.SplitConditions, static c => (double)c),
                    LeafValues = Array.ConvertAll(tree.SplitConditions, static c => (double)c),
                    DefaultLeft = tree.DefaultLeft,
                    CategoryBitsets = tree.CategoryBitsets,
                },
                group,
                booster.WeightDrop?[t] ?? 1.0);
        }

        return new XGBoostPredictor(booster, objective, baseMargin, builder.Build());
    }

    /// <summary>
    /// Predicts <paramref name="rows"/> rows of <see cref="FeatureCount"/> values (NaN = missing); returns
    /// <c>rows × OutputWidth</c> floats.
    /// </summary>
    public float[] Predict(ReadOnlySpan<double> features, int rows)
    {
        var groups = Groups;
        var width = OutputWidth;
        var count = rows * groups;
        // The margins are the result unless multi:softmax collapses each row to its class; then they are scratch.
        float[]? rentedMargins = width == groups ? null : ArrayPool<float>.Shared.Rent(count);
        var margins = rentedMargins ?? new float[count];
        try
        {
            if (_ensemble is not null)
            {
                var raw = ArrayPool<double>.Shared.Rent(count);
                try
                {
                    _ensemble.PredictRaw(features, rows, raw.AsSpan(0, count));
                    for (var i = 0; i < count; i++)
                    {
                        margins[i] = (float)raw[i];
                    }
                }
                finally
                {
                    ArrayPool<double>.Shared.Return(raw);
                }
            }
            else
            {
                PredictLinear(features, rows, margins);
            }

            var result = rentedMargins is null ? margins : new float[rows * width];
            for (var r = 0; r < rows; r++)
            {
                var row = margins.AsSpan(r * groups, groups);
                _objective.Transform(row);
                if (rentedMargins is not null)
                {
                    result[r] = row[0];
                }
            }

            return result;
        }
        finally
        {
            if (rentedMargins is not null) ArrayPool<float>.Shared.Return(rentedMargins);
        }
    }

    // GBLinear::Pred: psum = bias[g] + base_margin, then psum += x * w[f, g] over present (non-NaN) features, in float.
    private void PredictLinear(ReadOnlySpan<double> features, int rows, float[] margins)
    {
        var w = _linearWeights!;
        var f = FeatureCount;
        var groups = Groups;
        for (var r = 0; r < rows; r++)
        {
            var row = features.Slice(r * f, f);
            for (var g = 0; g < groups; g++)
            {
                var psum = w[f * groups + g] + _baseMargin;
                for (var j = 0; j < f; j++)
                {
                    var x = (float)row[j];
                    if (!float.IsNaN(x))
                    {
                        psum += x * w[j * groups + g];
                    }
                }

                margins[r * groups + g] = psum;
            }
        }
    }
}
