using ServeSharp.Runtimes.Sklearn.Estimators.Composition;
using ServeSharp.Runtimes.Sklearn.Estimators.Linear;
using ServeSharp.Runtimes.Sklearn.Pickle;

namespace ServeSharp.Runtimes.Sklearn.Estimators;

/// <summary>
/// Maps a pickled scikit-learn object to a native implementation, by class name. Classes not listed here are
/// refused with <c>unsupported estimator module.Class</c>.
/// </summary>
public sealed class EstimatorFactory
{
    private const int MaxDepth = 32;

    private readonly Dictionary<string, Func<SkObject, int, IPredictor>> _predictors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<SkObject, int, ITransformer>> _transformers = new(StringComparer.Ordinal);

    /// <summary>Creates the factory with every supported estimator registered.</summary>
    public EstimatorFactory()
    {
        foreach (var name in new[] { "LinearRegression", "Ridge", "Lasso", "ElasticNet", "SGDRegressor", "LinearSVR", "Lars", "LassoLars", "BayesianRidge", "ARDRegression", "HuberRegressor", "TheilSenRegressor", "RidgeCV", "LassoCV", "ElasticNetCV" })
        {
            _predictors[name] = (o, _) => new LinearRegressor(o);
        }

        foreach (var name in new[] { "LogisticRegression", "LogisticRegressionCV", "SGDClassifier", "LinearSVC", "RidgeClassifier", "RidgeClassifierCV", "Perceptron", "PassiveAggressiveClassifier" })
        {
            _predictors[name] = (o, _) => new LinearClassifier(o);
        }

        _predictors["Pipeline"] = (o, d) => new Pipeline(o, this, d);
        _transformers["Pipeline"] = (o, d) => new Pipeline(o, this, d);
        EstimatorRegistrations.Register(this);
    }

    /// <summary>Registers a predictor class.</summary>
    public void AddPredictor(string className, Func<SkObject, int, IPredictor> create) => _predictors[className] = create;

    /// <summary>Registers a transformer class.</summary>
    public void AddTransformer(string className, Func<SkObject, int, ITransformer> create) => _transformers[className] = create;

    /// <summary>True when <paramref name="value"/> is an object this factory can turn into a predictor.</summary>
    public bool IsPredictor(object? value)
    {
        if (value is not PyInstance i || !_predictors.ContainsKey(i.Type.Name))
        {
            return false;
        }

        if (i.Type.Name == "Pipeline")
        {
            var steps = new SkObject(i).List("steps");
            return steps.Count > 0 && steps[^1] is PyTuple { Count: 2 } last && IsPredictor(last[1]);
        }

        return true;
    }

    /// <summary>Builds a predictor from the top-level object of a model file.</summary>
    public IPredictor CreatePredictor(object? value, int depth = 0)
    {
        var o = Wrap(value, depth);
        if (_predictors.TryGetValue(o.ShortName, out var create))
        {
            return create(o, depth);
        }

        throw Unsupported(o);
    }

    /// <summary>Builds a transformer (a pipeline step).</summary>
    public ITransformer CreateTransformer(object? value, int depth)
    {
        var o = Wrap(value, depth);
        if (_transformers.TryGetValue(o.ShortName, out var create))
        {
            return create(o, depth);
        }

        throw _predictors.ContainsKey(o.ShortName)
            ? new SklearnModelException($"{o.ClassName} is used as a transformer but has no transform")
            : Unsupported(o);
    }

    private static SkObject Wrap(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new SklearnModelException($"estimators nest deeper than {MaxDepth}");
        }

        if (value is not PyInstance inst)
        {
            throw new SklearnModelException($"the file holds a {PickleReader.Describe(value)}, not a scikit-learn estimator");
        }

        if (!inst.Type.Module.StartsWith("sklearn.", StringComparison.Ordinal))
        {
            throw new SklearnModelException($"the file holds a {inst.Type.FullName}, not a scikit-learn estimator");
        }

        return new SkObject(inst);
    }

    private static SklearnModelException Unsupported(SkObject o) => new($"unsupported estimator {o.ClassName}");
}
