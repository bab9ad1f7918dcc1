using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.Engine;
using ServeSharp.Runtimes.Trees.Serving;

namespace ServeSharp.Runtimes.Trees.LightGbm;

/// <summary>
/// Serves LightGBM text models (model-format <c>lightgbm</c>) natively, as KServe's lgbserver: exactly one model file
/// in the model directory, ending in <c>.bst</c> (lgbserver's extension), or also <c>.txt</c> when the file starts as a
/// LightGBM text model does (so a README.txt beside model.bst is not a second model).
/// </summary>
public sealed class LightGbmRuntime : IModelRuntime
{
    /// <summary>File name endings accepted.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".bst", ".txt"];

    /// <inheritdoc />
    public string Format => "lightgbm";

    /// <inheritdoc />
    public bool CanLoad(string modelDirectory) =>
        ModelFileLocator.AllCandidatesLookLike(modelDirectory, Extensions, 16, head => LightGbmModelText.LooksLikeLightGbm(head), IsModelFile);

    /// <inheritdoc />
    public async ValueTask<IModel> LoadAsync(ModelLoadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = ModelFileLocator.Locate(
            context.ModelDirectory, Extensions, IsModelFile, "ending in .bst, or in .txt and holding a LightGBM text model,");
        var bytes = await ModelFileLocator.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            var booster = LightGbmModelText.Parse(LightGbmModelText.Decode(bytes));
            return new LightGbmModel(context.Name, LightGbmPredictor.Create(booster), booster.PandasCategoryColumns);
        }
        catch (FormatException e)
        {
            throw new ModelLoadException($"LightGBM model file {path} is invalid: {e.Message}", e);
        }
        catch (TreeStructureException e)
        {
            throw new ModelLoadException($"LightGBM model file {path} is invalid: {e.Message}", e);
        }
    }

    private static bool IsModelFile(string path) =>
        path.EndsWith(".bst", StringComparison.Ordinal) || LightGbmModelText.LooksLikeLightGbm(ModelFileLocator.Head(path, 16));
}
