using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Pickle;
using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Trees;

/// <summary>
/// DecisionTree*, ExtraTree*, RandomForest*, ExtraTrees* on the shared tree engine: features rounded to float32,
/// <c>x &lt;= threshold</c> goes left; classifiers average per-tree normalised class frequencies (predict_proba) and
/// take the argmax; regressors average leaf values.
/// </summary>
public sealed class ForestModel : IPredictor
{
    private readonly TreeEnsemble _ensemble;
    private readonly ClassLabels? _classes;
    private readonly int _features;

    /// <summary>Builds the ensemble from a single tree (<paramref name="forest"/> false) or a forest's estimators_.</summary>
    public ForestModel(SkObject est, bool classifier, bool forest)
    {
        _features = (int)est.Long("n_features_in_");
        if (est.Long("n_outputs_") != 1)
        {
            throw est.Unsupported("multi-output models");
        }

        var trees = forest
            ? est.List("estimators_").Select(t => SklearnTree.Read(t is PyInstance i ? new SkObject(i) : throw est.WrongType("estimators_", "a list of trees"))).ToList()
            : [SklearnTree.Read(est)];
        if (trees.Count == 0)
        {
            throw est.WrongType("estimators_", "a non-empty list");
        }

        var width = classifier ? (_classes = new ClassLabels(est.Array("classes_"), est.ClassName)).Count : 1;
        var builder = new TreeEnsembleBuilder(_features, width)
        {
            Comparison = SplitComparison.LessOrEqual,
            CastFeaturesToFloat32 = true,
            Accumulation = AccumulationPrecision.Float64,
            Divisor = forest ? trees.Count : null,
        };
        foreach (var t in trees)
        {
            builder.AddTree(classifier ? t.WithLeaves(t.NormalizedValues(width), width) : t.WithLeaves(LeafColumn(t), 1));
        }

        _ensemble = builder.Build();
    }

    /// <inheritdoc />
    public int? FeatureCount => _features;

    /// <inheritdoc />
    public bool HasPredictProba => _classes is not null;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        var raw = Raw(x);
        if (_classes is null)
        {
            return Tensor.Create(outputName, [x.Rows], raw);
        }

        var k = _classes.Count;
        var idx = new int[x.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            idx[i] = VectorMath.ArgMax(raw.AsSpan(i * k, k));
        }

        return _classes.Take(idx, outputName);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes)
    {
        classes = _classes!.Count;
        return Raw(x);
    }

    private double[] Raw(FeatureFrame x)
    {
        var m = TreeInput.Matrix(x, _features, allowNaN: false);
        var output = new double[x.Rows * _ensemble.OutputCount];
        _ensemble.PredictRaw(m, x.Rows, output);
        return output;
    }

    private static double[] LeafColumn(SklearnTree t)
    {
        var n = t.Arrays.NodeCount;
        var v = new double[n];
        for (var i = 0; i < n; i++)
        {
            v[i] = t.Values[i * t.Width];
        }

        return v;
    }
}
