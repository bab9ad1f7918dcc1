using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators;

namespace ServeSharp.Runtimes.Sklearn.Serving;

/// <summary>
/// Turns a request into the frame scikit-learn's <c>predict</c> would receive, as KServe's
/// <c>get_predict_input</c> does: with request parameter <c>content_type=pd</c> every input is one named column
/// (a DataFrame); otherwise only the first input is used, as a 2-D array.
/// </summary>
public static class RequestFrameDecoder
{
    /// <summary>Decodes <paramref name="request"/>.</summary>
    public static FeatureFrame Decode(InferenceRequest request)
    {
        if (request.Inputs.Count == 0)
        {
            throw InferenceException.InvalidInput("the request has no inputs");
        }

        return request.Parameters.GetString(InferParameters.Names.ContentType) == "pd"
            ? DecodeColumns(request.Inputs)
            : DecodeArray(request.Inputs[0]);
    }

    private static FeatureFrame DecodeColumns(IReadOnlyList<Tensor> inputs)
    {
        var columns = new List<FeatureColumn>(inputs.Count);
        var names = new List<string>(inputs.Count);
        foreach (var t in inputs)
        {
            // KServe builds each column from the input's flat data; the shape is not used.
            columns.Add(t.DataType == TensorDataType.Bytes ? FeatureColumn.Of(t.ToStrings()) : FeatureColumn.Of(NumbersOf(t)));
            names.Add(t.Name);
        }

        return FeatureFrame.FromColumns(columns, names);
    }

    private static FeatureFrame DecodeArray(Tensor t)
    {
        if (t.Shape.Length != 2)
        {
            if (t.DataType == TensorDataType.Bytes && t.Parameters.GetString(InferParameters.Names.ContentType) is { } bodyType)
            {
                // A V1 body the server did not decode as JSON arrives as one raw BYTES element.
                throw InferenceException.InvalidInput(
                    $"The request body was sent as '{bodyType}' and was not decoded as JSON; send it with Content-Type: application/json "
                    + "(expected a 2-D array such as {\"instances\": [[6.8, 2.8, 4.8, 1.4]]}).");
            }

            throw InferenceException.InvalidInput(
                $"Expected 2D array, got input '{t.Name}' with shape [{string.Join(",", t.Shape)}]: send one row per sample, shape [rows, features].");
        }

        var rows = checked((int)t.Shape[0]);
        var cols = checked((int)t.Shape[1]);
        if (t.DataType == TensorDataType.Bytes)
        {
            var strings = t.ToStrings();
            var columns = new FeatureColumn[cols];
            for (var j = 0; j < cols; j++)
            {
                var c = new string?[rows];
                for (var i = 0; i < rows; i++)
                {
                    c[i] = strings[i * cols + j];
                }

                columns[j] = FeatureColumn.Of(c);
            }

            return FeatureFrame.FromColumns(columns);
        }

        return FeatureFrame.FromMatrix(NumbersOf(t), rows, cols);
    }

    // ToDoubleArray hands back the tensor's own FP64 array without copying: no estimator or transformer writes to
    // its input (each step allocates its output), and a 1,000-row copy would be a large-object-heap allocation per
    // request.
    private static double[] NumbersOf(Tensor t) => t.ToDoubleArray();
}
