using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Numpy;
using ServeSharp.Runtimes.Sklearn.Pickle;
using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Trees;

/// <summary>
/// DecisionTree*, ExtraTree*, RandomForest*, ExtraTrees* on the shared tree engine: features rounded to float32,
/// <c>x &lt;= threshold</c> goes left; classifiers average per-tree normalised class frequencies (predict_proba) and
/// take the argmax; regressors average leaf values. Fitted on a 2-D y (n_outputs_ &gt; 1), every output is predicted
/// side by side: [rows, n_outputs] labels (each output with its own classes_) or values.
/// </summary>
public sealed class ForestModel : IPredictor
{
    private readonly TreeEnsemble _ensemble;
    private readonly ClassLabels[]? _classes;
    private readonly int _features;
    private readonly int _outputs;
    private readonly int _classesPerOutput;

    /// <summary>Builds the ensemble from a single tree (<paramref name="forest"/> false) or a forest's estimators_.</summary>
    public ForestModel(SkObject est, bool classifier, bool forest)
    {
        _features = (int)est.Long("n_features_in_");
        _outputs = checked((int)est.Long("n_outputs_"));
        var trees = forest
            ? est.List("estimators_").Select(t => SklearnTree.Read(t is PyInstance i ? new SkObject(i) : throw est.WrongType("estimators_", "a list of trees"))).ToList()
            : [SklearnTree.Read(est)];
        if (trees.Count == 0)
        {
            throw est.WrongType("estimators_", "a non-empty list");
        }

        _classesPerOutput = trees[0].ClassesPerOutput;
        if (trees.Any(t => t.Outputs != _outputs || t.ClassesPerOutput != _classesPerOutput))
        {
            throw est.WrongType("estimators_", $"trees with {_outputs} outputs of {_classesPerOutput} values");
        }

        if (classifier)
        {
            _classes = _outputs == 1
                ? [new ClassLabels(est.Array("classes_"), est.ClassName)]
                : est.List("classes_").Select(c => new ClassLabels(c as NdArray ?? throw est.WrongType("classes_", "a list of arrays"), est.ClassName)).ToArray();
            if (_classes.Length != _outputs || _classes.Any(c => c.Count == 0 || c.Count > _classesPerOutput) || (_outputs == 1 && _classes[0].Count != _classesPerOutput))
            {
                throw est.WrongType("classes_", $"{_outputs} class lists of 1 to {_classesPerOutput} classes");
            }

            if (_classes.Any(c => c.DataType != _classes[0].DataType))
            {
                throw est.Unsupported("outputs whose class labels have different types");
            }
        }
        else if (_classesPerOutput != 1)
        {
            throw est.WrongType("estimators_", $"regression trees with one value per output, not {_classesPerOutput}");
        }

        var builder = new TreeEnsembleBuilder(_features, _outputs * _classesPerOutput)
        {
            Comparison = SplitComparison.LessOrEqual,
            CastFeaturesToFloat32 = true,
            Accumulation = AccumulationPrecision.Float64,
            Divisor = forest ? trees.Count : null,
        };
        foreach (var t in trees)
        {
            builder.AddTree(t.WithLeaves(classifier ? t.NormalizedValues() : t.Values, t.Width));
        }

        _ensemble = builder.Build();
    }

    /// <inheritdoc />
    public int? FeatureCount => _features;

    /// <inheritdoc />
    /// <remarks>
    /// A multi-output classifier's predict_proba is a list of arrays, one per output, which no response tensor
    /// holds; such models answer with predict.
    /// </remarks>
    public bool HasPredictProba => _classes is not null && _outputs == 1;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        var raw = Raw(x);
        if (_classes is null)
        {
            return Tensor.Create(outputName, _outputs == 1 ? [x.Rows] : [x.Rows, _outputs], raw);
        }

        var width = _outputs * _classesPerOutput;
        var perOutput = new Tensor[_outputs];
        for (var o = 0; o < _outputs; o++)
        {
            var idx = new int[x.Rows];
            var classes = _classes[o].Count;
            for (var i = 0; i < x.Rows; i++)
            {
                idx[i] = VectorMath.ArgMax(raw.AsSpan(i * width + o * _classesPerOutput, classes));
            }

            perOutput[o] = _classes[o].Take(idx, outputName);
        }

        return _outputs == 1 ? perOutput[0] : TensorRows.SideBySide(perOutput, x.Rows, outputName);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes)
    {
        if (!HasPredictProba)
        {
            throw new NotSupportedException("predict_proba of a multi-output forest is a list of arrays");
        }

        classes = _classes![0].Count;
        return Raw(x);
    }

    private double[] Raw(FeatureFrame x)
    {
        var m = TreeInput.Matrix(x, _features, allowNaN: false);
        var output = new double[x.Rows * _ensemble.OutputCount];
        _ensemble.PredictRaw(m, x.Rows, output);
        return output;
    }
}
