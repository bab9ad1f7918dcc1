using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Numpy;
using ServeSharp.Runtimes.Sklearn.Pickle;
using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Trees;

/// <summary>
/// HistGradientBoostingClassifier / Regressor: raw = _baseline_prediction + Σ leaf (leaves already carry the
/// learning rate) on float64 features; NaN follows <c>missing_go_to_left</c>; categorical splits use
/// <c>raw_left_cat_bitsets</c>, and categories unknown at fit time follow the missing direction. Link: identity,
/// log (exp), logit (expit) or multinomial (softmax).
/// </summary>
public sealed class HistGradientBoostingModel : IPredictor
{
    private readonly TreeEnsemble _ensemble;
    private readonly ClassLabels? _classes;
    private readonly string _link;
    private readonly int _features;
    private readonly int _k;

    /// <summary>Reads the fitted attributes.</summary>
    public HistGradientBoostingModel(SkObject est, bool classifier)
    {
        _features = (int)est.Long("n_features_in_");
        _k = (int)est.Long("n_trees_per_iteration_");
        _link = est.Object("_loss").Object("link").ShortName;
        if (_link is not ("IdentityLink" or "LogLink" or "LogitLink" or "MultinomialLogit"))
        {
            throw est.Unsupported($"link {_link}");
        }

        if (classifier)
        {
            _classes = new ClassLabels(est.Array("classes_"), est.ClassName);
            if (_classes.Count < 2 || _k != _classes.DecisionColumns)
            {
                throw est.WrongType("n_trees_per_iteration_", $"{_classes.DecisionColumns} for {_classes.Count} classes (at least 2)");
            }
        }
        else if (_k != 1)
        {
            throw est.WrongType("n_trees_per_iteration_", "1 for a regressor");
        }

        var baseline = est.Array("_baseline_prediction").ToDoubles();
        if (baseline.Length != _k)
        {
            throw est.WrongType("_baseline_prediction", $"{_k} values");
        }

        var known = KnownCategories(est);
        var builder = new TreeEnsembleBuilder(_features, _k)
        {
            Comparison = SplitComparison.LessOrEqual,
            CastFeaturesToFloat32 = false,
            Accumulation = AccumulationPrecision.Float64,
            CategoryInSetGoesLeft = true,
            CategoryCast = CategoryCast.TruncateTowardZero,
            BaseScores = baseline,
        };
        foreach (var iteration in est.List("_predictors"))
        {
            var predictors = iteration as PyList ?? throw est.WrongType("_predictors", "a list of lists of TreePredictor");
            if (predictors.Count != _k)
            {
                throw est.WrongType("_predictors", $"{_k} predictors per iteration");
            }

            for (var k = 0; k < _k; k++)
            {
                var p = predictors[k] is PyInstance pi ? new SkObject(pi) : throw est.WrongType("_predictors", "TreePredictor objects");
                builder.AddTree(ReadPredictor(p, known), k);
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
        if (_classes is null)
        {
            var raw = Raw(x);
            if (_link == "LogLink")
            {
                for (var i = 0; i < raw.Length; i++)
                {
                    raw[i] = Math.Exp(raw[i]);
                }
            }

            return Tensor.Create(outputName, [x.Rows], raw);
        }

        var p = PredictProba(x, out var classes);
        var idx = new int[x.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            idx[i] = VectorMath.ArgMax(p.AsSpan(i * classes, classes));
        }

        return _classes.Take(idx, outputName);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes)
    {
        classes = _classes!.Count;
        var raw = Raw(x);
        if (_k == 1)
        {
            var p = new double[x.Rows * 2];
            for (var i = 0; i < x.Rows; i++)
            {
                p[2 * i + 1] = VectorMath.Expit(raw[i]);
                p[2 * i] = 1 - p[2 * i + 1];
            }

            return p;
        }

        for (var i = 0; i < x.Rows; i++)
        {
            VectorMath.SoftmaxInPlace(raw.AsSpan(i * _k, _k));
        }

        return raw;
    }

    private double[] Raw(FeatureFrame x)
    {
        var m = TreeInput.Matrix(x, _features, allowNaN: true);
        var output = new double[x.Rows * _k];
        _ensemble.PredictRaw(m, x.Rows, output);
        return output;
    }

    // _BinMapper.make_known_categories_bitsets: per categorical feature, the categories seen at fit (256 bits).
    private static Dictionary<int, uint[]> KnownCategories(SkObject est)
    {
        var result = new Dictionary<int, uint[]>();
        if (est.Get("is_categorical_") is not NdArray isCat)
        {
            return result;
        }

        var flags = isCat.ToLongs();
        if (!flags.Any(f => f != 0))
        {
            return result;
        }

        var thresholds = est.Object("_bin_mapper").List("bin_thresholds_");
        if (thresholds.Count < flags.Length)
        {
            throw est.WrongType("_bin_mapper", $"bin thresholds for each of the {flags.Length} features of is_categorical_");
        }

        for (var f = 0; f < flags.Length; f++)
        {
            if (flags[f] == 0)
            {
                continue;
            }

            var bits = new uint[8];
            foreach (var c in (thresholds[f] as NdArray ?? throw est.WrongType("_bin_mapper", "known categories")).ToDoubles())
            {
                var cat = (int)c;
                if (cat is >= 0 and < 256)
                {
                    bits[cat / 32] |= 1u << (cat % 32);
                }
            }

            result[f] = bits;
        }

        return result;
    }

    private static TreeArrays ReadPredictor(SkObject predictor, Dictionary<int, uint[]> known)
    {
        var nodes = predictor.Array("nodes");
        var n = (int)nodes.Count;
        var isLeaf = nodes.FieldAsDoubles("is_leaf");
        var leftRaw = nodes.FieldAsDoubles("left");
        var rightRaw = nodes.FieldAsDoubles("right");
        var feature = nodes.FieldAsDoubles("feature_idx").Select(v => (int)v).ToArray();
        var threshold = nodes.FieldAsDoubles("num_threshold");
        var value = nodes.FieldAsDoubles("value");
        var missingLeft = nodes.FieldAsDoubles("missing_go_to_left").Select(v => v != 0).ToArray();
        var isCategorical = nodes.FieldAsDoubles("is_categorical");
        var bitsetIdx = nodes.FieldAsDoubles("bitset_idx");
        var rawBitsets = predictor.Array("raw_left_cat_bitsets").ToDoubles();
        var left = new int[n];
        var right = new int[n];
        uint[]?[]? categories = null;
        for (var i = 0; i < n; i++)
        {
            if (isLeaf[i] != 0)
            {
                left[i] = -1;
                right[i] = -1;
                feature[i] = 0;
                continue;
            }

            left[i] = (int)leftRaw[i];
            right[i] = (int)rightRaw[i];
            if (isCategorical[i] == 0)
            {
                continue;
            }

            categories ??= new uint[]?[n];
            var row = (int)bitsetIdx[i];
            if (row < 0 || (row + 1L) * 8 > rawBitsets.Length)
            {
                throw predictor.WrongType("raw_left_cat_bitsets", $"a row {row} for node {i}");
            }

            var set = new uint[8];
            for (var w = 0; w < 8; w++)
            {
                set[w] = (uint)rawBitsets[row * 8 + w];
            }

            // Categories unknown at fit time follow the missing-value direction: add them to the left set when
            // missing values go left (the engine sends values outside the set right).
            if (missingLeft[i] && known.TryGetValue(feature[i], out var knownSet))
            {
                for (var w = 0; w < 8; w++)
                {
                    set[w] |= ~knownSet[w];
                }
            }

            categories[i] = set;
        }

        return new TreeArrays
        {
            LeftChild = left,
            RightChild = right,
            SplitFeature = feature,
            Threshold = threshold,
            LeafValues = value,
            LeafWidth = 1,
            DefaultLeft = missingLeft,
            CategoryBitsets = categories,
        };
    }
}
