using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Numpy;
using ServeSharp.Runtimes.Sklearn.Pickle;
using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Trees;

/// <summary>
/// sklearn.ensemble.IsolationForest: each tree contributes (path length to the leaf + c(n_node_samples) − 1);
/// score = 2^(−mean / c(max_samples)); predict = −1 where −score − offset_ &lt; 0, else 1.
/// </summary>
public sealed class IsolationForestModel : IPredictor
{
    private const double EulerGamma = 0.5772156649015329;

    private readonly TreeEnsemble _ensemble;
    private readonly double _denominator;
    private readonly double _offset;
    private readonly int _features;

    /// <summary>Reads the fitted attributes.</summary>
    public IsolationForestModel(SkObject est)
    {
        _features = (int)est.Long("n_features_in_");
        _offset = est.Double("offset_");
        var trees = est.List("estimators_");
        var featureSets = est.List("estimators_features_");
        if (trees.Count == 0 || featureSets.Count != trees.Count)
        {
            throw est.WrongType("estimators_features_", "one feature list per tree");
        }

        var builder = new TreeEnsembleBuilder(_features, 1)
        {
            Comparison = SplitComparison.LessOrEqual,
            CastFeaturesToFloat32 = true,
            Accumulation = AccumulationPrecision.Float64,
        };
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = SklearnTree.Read(trees[t] is PyInstance i ? new SkObject(i) : throw est.WrongType("estimators_", "trees"));
            var map = (featureSets[t] as NdArray ?? throw est.WrongType("estimators_features_", "arrays")).ToLongs().Select(v => (int)v).ToArray();
            var n = tree.Arrays.NodeCount;
            var leaves = new double[n];
            for (var node = 0; node < n; node++)
            {
                // np.ravel(node_indicator.sum(axis=1)) counts the nodes on the path (depth + 1).
                leaves[node] = (tree.Depth[node] + 1 + AveragePathLength(tree.NodeSamples[node])) - 1.0;
            }

            builder.AddTree(tree.WithLeaves(leaves, 1, map));
        }

        _ensemble = builder.Build();
        _denominator = trees.Count * AveragePathLength(est.Long("_max_samples"));
    }

    /// <inheritdoc />
    public int? FeatureCount => _features;

    /// <inheritdoc />
    public bool HasPredictProba => false;

    /// <summary>score_samples: the negated anomaly score.</summary>
    public double[] ScoreSamples(FeatureFrame x)
    {
        var m = TreeInput.Matrix(x, _features, allowNaN: false);
        var depths = new double[x.Rows];
        _ensemble.PredictRaw(m, x.Rows, depths);
        for (var i = 0; i < depths.Length; i++)
        {
            var ratio = _denominator != 0 ? depths[i] / _denominator : 1.0;
            depths[i] = -Math.Pow(2, -ratio);
        }

        return depths;
    }

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        var scores = ScoreSamples(x);
        var labels = scores.Select(s => s - _offset < 0 ? -1L : 1L).ToArray();
        return Tensor.Create(outputName, [x.Rows], labels);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes) => throw new NotSupportedException();

    private static double AveragePathLength(long n) => n switch
    {
        <= 1 => 0.0,
        2 => 1.0,
        _ => 2.0 * (Math.Log(n - 1.0) + EulerGamma) - 2.0 * (n - 1.0) / n,
    };
}
