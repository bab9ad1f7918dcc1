namespace ServeSharp.Abstractions;

/// <summary>
/// Loads one model format (ONNX, XGBoost, LightGBM, scikit-learn, ...). A new format is one implementation of
/// this interface plus one registration; the server picks a runtime by <see cref="Format"/> or, when no format
/// is given, by asking each runtime whether it <see cref="CanLoad"/> the model directory.
/// </summary>
public interface IModelRuntime
{
    /// <summary>The KServe model-format name, e.g. <c>onnx</c>, <c>xgboost</c>, <c>lightgbm</c>, <c>sklearn</c>.</summary>
    string Format { get; }

    /// <summary>True when <paramref name="modelDirectory"/> holds files this runtime recognises. Must not throw.</summary>
    bool CanLoad(string modelDirectory);

    /// <summary>Loads the model. Throws <see cref="ModelLoadException"/> with an actionable message on failure.</summary>
    ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken);
}
