using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.Serving;

namespace ServeSharp.Runtimes.Trees.LightGbm;

/// <summary>
/// A loaded LightGBM model answering with what KServe's lgbserver answers, <c>Booster.predict(x)</c> (FP64;
/// probabilities for classifiers). A plain matrix goes to LightGBM as lgbserver's numpy array does (integer arrays
/// rounded to float32 first). A <c>content_type: pd</c> request is lgbserver's DataFrame: its columns are matched to
/// the model's feature names, and it goes through LightGBM's <c>_data_from_pandas</c> checks. A DataFrame built from a
/// request never has pandas <c>category</c> columns, so a model trained on one (a <c>pandas_categorical</c> list in the
/// file) refuses every <c>pd</c> request, with LightGBM's message.
/// </summary>
internal sealed class LightGbmModel(string name, LightGbmPredictor predictor, int? pandasCategoryColumns)
    : TreeModel(name, "lightgbm", TensorDataType.FP64, predictor.FeatureCount, predictor.OutputCount)
{
    protected override FeatureMatrix ReadFeatures(InferenceRequest request)
    {
        var pandas = request.Parameters.GetString(InferParameters.Names.ContentType) == "pd";
        if (pandas)
        {
            CheckDataFrame(request.Inputs);
        }

        var features = predictor.FeatureCount;
        var matrix = FeatureMatrix.FromRequest(
            request, features, predictor.FeatureNames,
            got => $"The number of features in data ({got}) is not the same as it was in training data ({features}).");
        if (pandas && matrix.Rows == 0)
        {
            throw InferenceException.InvalidInput("Input data must be 2 dimensional and non empty.");
        }

        if (!pandas && IsWideInteger(request.Inputs[0].DataType))
        {
            // Booster.predict copies a non-float numpy array to float32 (_InnerPredictor.__inner_predict_np2d).
            var values = matrix.Values;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)values[i];
            }
        }

        return matrix;
    }

    protected override Array Predict(FeatureMatrix matrix) => predictor.Predict(matrix.Values, matrix.Rows);

    /// <summary>What <c>_data_from_pandas</c> refuses, in its order and words.</summary>
    private void CheckDataFrame(IReadOnlyList<Tensor> columns)
    {
        if (pandasCategoryColumns is > 0)
        {
            throw InferenceException.InvalidInput(
                "train and valid dataset categorical_feature do not match. (The model was trained on a pandas DataFrame with "
                + $"{pandasCategoryColumns} category column(s), listed in its pandas_categorical line; a content_type 'pd' request "
                + $"has no category columns. Send the rows as a plain [rows, {predictor.FeatureCount}] matrix, without content_type "
                + "'pd', with each category's position in the model's category list in place of the category.)");
        }

        var text = columns.Where(c => c.DataType == TensorDataType.Bytes).Select(c => $"{c.Name}: object").ToArray();
        if (text.Length > 0)
        {
            throw InferenceException.InvalidInput(
                $"pandas dtypes must be int, float or bool.\nFields with bad pandas dtypes: {string.Join(", ", text)}");
        }
    }

    private static bool IsWideInteger(TensorDataType type) =>
        type is TensorDataType.Int32 or TensorDataType.Int64 or TensorDataType.UInt32 or TensorDataType.UInt64;
}
