using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.Serving;

namespace ServeSharp.Runtimes.Trees.XGBoost;

/// <summary>
/// Serves XGBoost models (model-format <c>xgboost</c>) natively, as KServe's xgbserver: exactly one file ending in
/// <c>.bst</c>, <c>.json</c> or <c>.ubj</c> in the model directory, in JSON, UBJSON or the legacy binary format.
/// </summary>
public sealed class XGBoostRuntime : IModelRuntime
{
    /// <inheritdoc />
    public string Format => "xgboost";

    /// <inheritdoc />
    public bool CanLoad(string modelDirectory) =>
        ModelFileLocator.AllCandidatesLookLike(modelDirectory, XGBoostModelFile.Extensions, 64, head => XGBoostModelFile.LooksLikeXGBoost(head));

    /// <inheritdoc />
    public async ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = ModelFileLocator.Locate(context.ModelDirectory, XGBoostModelFile.Extensions);
        var bytes = await ModelFileLocator.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        var predictor = XGBoostModelFile.Parse(path, bytes);
        return new XGBoostModel(context.Name, predictor);
    }
}
