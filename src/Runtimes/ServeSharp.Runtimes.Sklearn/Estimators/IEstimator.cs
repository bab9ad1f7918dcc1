using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Estimators;

/// <summary>A fitted transformer (scaler, encoder, ...): <c>transform(X)</c>.</summary>
public interface ITransformer
{
    /// <summary>Columns the transformer was fitted on, or null when it takes any number.</summary>
    int? InputCount => null;

    /// <summary>Columns it gives for <see cref="InputCount"/> input columns, or null when that depends on the input.</summary>
    int? OutputCount => null;

    /// <summary>Transforms <paramref name="x"/>.</summary>
    FeatureFrame Transform(FeatureFrame x);
}

/// <summary>A fitted estimator with <c>predict</c> and possibly <c>predict_proba</c>.</summary>
public interface IPredictor
{
    /// <summary>Features the estimator was fitted on, or null when unknown.</summary>
    int? FeatureCount { get; }

    /// <summary>True when scikit-learn would expose <c>predict_proba</c> (KServe checks <c>hasattr</c>).</summary>
    bool HasPredictProba { get; }

    /// <summary><c>predict(X)</c> as a tensor: class labels in their own type, or regression values.</summary>
    Tensor Predict(FeatureFrame x, string outputName);

    /// <summary><c>predict_proba(X)</c>, [rows, classes].</summary>
    double[] PredictProba(FeatureFrame x, out int classes);
}
