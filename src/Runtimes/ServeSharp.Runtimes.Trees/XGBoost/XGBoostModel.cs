using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.Serving;

namespace ServeSharp.Runtimes.Trees.XGBoost;

/// <summary>
/// A loaded XGBoost booster answering with what <c>Booster.predict(DMatrix(x))</c> returns (FP32).
/// Missing values: only NaN, as in KServe's xgbserver, which builds <c>xgb.DMatrix(instances, nthread=...)</c> without a
/// <c>missing</c> argument; XGBoost model files do not store one (it is a DMatrix setting), so there is nothing to
/// configure. Feature names: <c>content_type: pd</c> columns must be the booster's feature_names (see
/// <see cref="ColumnNames.MustMatch"/>); an unnamed matrix is taken positionally, where XGBoost 1.7 would refuse it
/// ("training data did not have the following fields").
/// </summary>
internal sealed class XGBoostModel(string name, XGBoostPredictor predictor)
    : TreeModel(name, "xgboost", TensorDataType.FP32, predictor.FeatureCount, predictor.OutputWidth)
{
    protected override FeatureMatrix ReadFeatures(InferenceRequest request)
    {
        var features = predictor.FeatureCount;
        var matrix = FeatureMatrix.FromRequest(
            request, features, predictor.FeatureNames,
            got => $"Feature shape mismatch, expected: {features}, got {got}",
            ColumnNames.MustMatch);
        var values = matrix.Values;
        for (var i = 0; i < values.Length; i++)
        {
            // DMatrix stores float32; XGBoost rejects infinities (and values too large for float) outright.
            if (float.IsInfinity((float)values[i]))
            {
                throw InferenceException.InvalidInput(
                    $"Input data contains `inf` or a value too large for float32 (row {i / features}, column {i % features}).");
            }
        }

        return matrix;
    }

    protected override Array Predict(FeatureMatrix matrix) => predictor.Predict(matrix.Values, matrix.Rows);
}
