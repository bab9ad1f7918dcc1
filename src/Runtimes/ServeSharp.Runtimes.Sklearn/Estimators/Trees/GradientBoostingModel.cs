using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Numpy;
using ServeSharp.Runtimes.Sklearn.Pickle;
using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Trees;

/// <summary>
/// GradientBoostingClassifier / GradientBoostingRegressor (1.2 "_gb_losses"): raw = init_ raw prediction +
/// Σ learning_rate · leaf over stages (<c>predict_stages</c>), on float32 features. Binomial: p = expit(raw);
/// multinomial: exp(raw − logsumexp(raw)); regression: raw.
/// </summary>
public sealed class GradientBoostingModel : IPredictor
{
    private readonly TreeEnsemble _ensemble;
    private readonly ClassLabels? _classes;
    private readonly string _loss;
    private readonly int _features;
    private readonly int _k;

    /// <summary>Reads the fitted attributes.</summary>
    public GradientBoostingModel(SkObject est, bool classifier)
    {
        _features = (int)est.Long("n_features_in_");
        var loss = est.Object("_loss");
        _loss = loss.ShortName;
        if (_loss is not ("LeastSquaresError" or "LeastAbsoluteError" or "HuberLossFunction" or "QuantileLossFunction" or "BinomialDeviance" or "MultinomialDeviance"))
        {
            throw est.Unsupported($"loss {loss.ClassName}");
        }

        var stages = est.Array("estimators_");
        if (stages.Rank != 2)
        {
            throw est.WrongType("estimators_", "a 2-D array of trees");
        }

        _k = (int)stages.Shape[1];
        var nStages = (int)stages.Shape[0];
        if (classifier)
        {
            _classes = new ClassLabels(est.Array("classes_"), est.ClassName);
            if (_classes.Count < 2 || _k != _classes.DecisionColumns)
            {
                throw est.WrongType("estimators_", $"{_classes.DecisionColumns} tree(s) per stage for {_classes.Count} classes (at least 2)");
            }
        }
        else if (_k != 1)
        {
            throw est.WrongType("estimators_", "one tree per stage");
        }

        var learningRate = est.Double("learning_rate");
        var builder = new TreeEnsembleBuilder(_features, _k)
        {
            Comparison = SplitComparison.LessOrEqual,
            CastFeaturesToFloat32 = true,
            Accumulation = AccumulationPrecision.Float64,
            BaseScores = InitialRaw(est, _loss, _k),
        };
        var items = stages.ToObjects();
        for (var s = 0; s < nStages; s++)
        {
            for (var k = 0; k < _k; k++)
            {
                if (items[s * _k + k] is not PyInstance tree)
                {
                    throw est.WrongType("estimators_", "an array of DecisionTreeRegressor");
                }

                var t = SklearnTree.Read(new SkObject(tree));
                var leaves = new double[t.Arrays.NodeCount];
                for (var i = 0; i < leaves.Length; i++)
                {
                    leaves[i] = t.Values[i * t.Width];
                }

                builder.AddTree(t.WithLeaves(leaves, 1), k, learningRate);
            }
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

        var idx = new int[x.Rows];
        if (_k == 1)
        {
            var p = Probabilities(raw, x.Rows);
            for (var i = 0; i < x.Rows; i++)
            {
                idx[i] = VectorMath.ArgMax(p.AsSpan(2 * i, 2));
            }
        }
        else
        {
            for (var i = 0; i < x.Rows; i++)
            {
                idx[i] = VectorMath.ArgMax(raw.AsSpan(i * _k, _k));
            }
        }

        return _classes.Take(idx, outputName);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes)
    {
        classes = _classes!.Count;
        return Probabilities(Raw(x), x.Rows);
    }

    private double[] Probabilities(double[] raw, int rows)
    {
        if (_k == 1)
        {
            var p = new double[rows * 2];
            for (var i = 0; i < rows; i++)
            {
                p[2 * i + 1] = VectorMath.Expit(raw[i]);
                p[2 * i] = 1 - p[2 * i + 1];
            }

            return p;
        }

        for (var i = 0; i < rows; i++)
        {
            var row = raw.AsSpan(i * _k, _k);
            var lse = VectorMath.LogSumExp(row);
            for (var c = 0; c < _k; c++)
            {
                var v = Math.Exp(row[c] - lse);
                row[c] = double.IsNaN(v) ? 0 : v;
            }
        }

        return raw;
    }

    private double[] Raw(FeatureFrame x)
    {
        var m = TreeInput.Matrix(x, _features, allowNaN: false);
        var output = new double[x.Rows * _k];
        _ensemble.PredictRaw(m, x.Rows, output);
        return output;
    }

    // loss.get_init_raw_predictions(X, init_) for the dummy estimators GradientBoosting fits by default.
    private static double[] InitialRaw(SkObject est, string loss, int k)
    {
        var init = est.Get("init_");
        if (init is "zero")
        {
            return new double[k];
        }

        var dummy = init is PyInstance i ? new SkObject(i) : throw est.WrongType("init_", "'zero' or a Dummy estimator");
        const double eps = 1.1920928955078125e-07; // np.finfo(np.float32).eps
        switch (loss)
        {
            case "BinomialDeviance" or "MultinomialDeviance":
                if (dummy.ShortName != "DummyClassifier" || dummy.GetOr("_strategy", dummy.GetOr("strategy", null)) is not ("prior" or "stratified" or "most_frequent" or "uniform"))
                {
                    throw est.Unsupported($"init estimator {dummy.ClassName}");
                }

                var prior = DummyProba(dummy);
                if (prior.Length != (loss == "BinomialDeviance" ? 2 : k))
                {
                    throw dummy.WrongType("class_prior_", $"{(loss == "BinomialDeviance" ? 2 : k)} class priors");
                }

                if (loss == "BinomialDeviance")
                {
                    var p = Math.Clamp(prior[1], eps, 1 - eps);
                    return [Math.Log(p / (1 - p))];
                }

                return prior.Select(p => Math.Log(Math.Clamp(p, eps, 1 - eps))).ToArray();
            default:
                if (dummy.ShortName != "DummyRegressor")
                {
                    throw est.Unsupported($"init estimator {dummy.ClassName}");
                }

                var constant = dummy.Get("constant_") is NdArray a ? a.ToDoubles() : [dummy.Double("constant_")];
                return constant.Length == 1 ? [constant[0]] : throw dummy.WrongType("constant_", "a single value");
        }
    }

    private static double[] DummyProba(SkObject dummy)
    {
        var strategy = dummy.GetOr("_strategy", dummy.GetOr("strategy", null)) as string;
        var prior = dummy.Array("class_prior_").ToDoubles();
        if (strategy == "prior")
        {
            return prior;
        }

        throw dummy.Unsupported($"strategy '{strategy}' as a GradientBoosting init");
    }
}
