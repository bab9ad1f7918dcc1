using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Pickle;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Composition;

/// <summary>sklearn.pipeline.Pipeline: transformers applied in order, then the final estimator.</summary>
public sealed class Pipeline : IPredictor, ITransformer
{
    private readonly ITransformer[] _transformers;
    private readonly IPredictor? _final;
    private readonly ITransformer? _finalTransformer;

    /// <summary>Builds the steps through <paramref name="factory"/>.</summary>
    public Pipeline(SkObject est, EstimatorFactory factory, int depth)
    {
        var steps = est.List("steps");
        if (steps.Count == 0)
        {
            throw est.WrongType("steps", "a non-empty list");
        }

        var transformers = new List<ITransformer>();
        var width = new StepWidth(est);
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is not PyTuple { Count: 2 } step)
            {
                throw est.WrongType("steps", "a list of (name, estimator) pairs");
            }

            var value = step[1];
            if (value is null or "passthrough")
            {
                continue;
            }

            var name = step[0] as string ?? "?";
            if (i < steps.Count - 1)
            {
                var transformer = factory.CreateTransformer(value, depth + 1);
                width.Next(name, transformer.InputCount, transformer.OutputCount);
                transformers.Add(transformer);
            }
            else if (factory.IsPredictor(value))
            {
                _final = factory.CreatePredictor(value, depth + 1);
                width.Next(name, _final.FeatureCount, null);
            }
            else
            {
                _finalTransformer = factory.CreateTransformer(value, depth + 1);
                width.Next(name, _finalTransformer.InputCount, null);
            }
        }

        _transformers = transformers.ToArray();
    }

    /// <inheritdoc />
    /// <remarks>The first step's: what the pipeline was fitted on.</remarks>
    public int? FeatureCount => _transformers.Length > 0 ? _transformers[0].InputCount : _final?.FeatureCount ?? _finalTransformer?.InputCount;

    /// <inheritdoc />
    public int? InputCount => FeatureCount;

    /// <inheritdoc />
    public bool HasPredictProba => _final?.HasPredictProba ?? false;

    /// <summary>True when the last step can predict.</summary>
    public bool CanPredict => _final is not null;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName) =>
        Final().Predict(TransformSteps(x), outputName);

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes) =>
        Final().PredictProba(TransformSteps(x), out classes);

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        if (_final is not null)
        {
            throw InferenceException.InvalidInput("this pipeline ends in a predictor and cannot transform");
        }

        var t = TransformSteps(x);
        return _finalTransformer is null ? t : _finalTransformer.Transform(t);
    }

    private FeatureFrame TransformSteps(FeatureFrame x)
    {
        foreach (var t in _transformers)
        {
            x = t.Transform(x);
        }

        return x;
    }

    private IPredictor Final() =>
        _final ?? throw InferenceException.InvalidInput("this pipeline ends in a transformer and has no predict");

    // The columns flowing between steps, as far as the steps know them: a step fitted on a different number of
    // columns than the one before it gives would fail every request with an error blaming the request.
    private sealed class StepWidth(SkObject pipeline)
    {
        private int? _width;
        private string? _from;

        public void Next(string step, int? input, int? output)
        {
            if (_width is int given && input is int fitted && fitted != given)
            {
                throw pipeline.WrongType("steps", $"steps whose widths agree: step '{step}' was fitted on {fitted} features, but step '{_from}' before it gives {given}");
            }

            _width = output;
            _from = step;
        }
    }
}
