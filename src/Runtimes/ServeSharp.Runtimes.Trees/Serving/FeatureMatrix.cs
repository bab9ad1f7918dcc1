using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Trees.Serving;

/// <summary>
/// Turns an inference request into a dense row-major feature matrix (double, NaN = missing), as KServe's
/// <c>get_predict_input</c> does: with request parameter <c>content_type: pd</c> every input is one column; otherwise
/// the first input is a <c>[rows, features]</c> (or <c>[features]</c>) numeric tensor, taken positionally.
/// Columns are matched to the model's feature names per <see cref="ColumnNames"/>.
/// </summary>
internal sealed class FeatureMatrix
{
    private FeatureMatrix(double[] values, int rows)
    {
        Values = values;
        Rows = rows;
    }

    /// <summary>rows × features values.</summary>
    public double[] Values { get; }

    public int Rows { get; }

    /// <exception cref="InferenceException">The request does not hold a matrix of <paramref name="featureCount"/> numeric features.</exception>
    public static FeatureMatrix FromRequest(
        InferenceRequest request, int featureCount, IReadOnlyList<string>? featureNames, Func<int, string> countMismatch,
        ColumnNames columnNames = ColumnNames.MatchWhenAllKnown)
    {
        if (request.Inputs.Count == 0)
        {
            throw InferenceException.InvalidInput("The request has no inputs.");
        }

        if (request.Parameters.GetString(InferParameters.Names.ContentType) == "pd")
        {
            if (columnNames == ColumnNames.MustMatch && featureNames is not null)
            {
                CheckNames(request.Inputs, featureNames);
            }

            return FromColumns(request.Inputs, featureCount, featureNames, countMismatch);
        }

        var input = request.Inputs[0];
        var values = Numbers(input);
        var shape = input.Shape;
        long rows;
        long columns;
        switch (shape.Length)
        {
            case 1:
                rows = 1;
                columns = shape[0];
                break;
            case 2:
                rows = shape[0];
                columns = shape[1];
                break;
            default:
                throw InferenceException.InvalidInput(
                    $"Input '{input.Name}' has shape [{string.Join(",", shape)}]; expected [rows, {featureCount}].");
        }

        if (columns != featureCount)
        {
            throw InferenceException.InvalidInput(countMismatch((int)Math.Min(columns, int.MaxValue)));
        }

        return new FeatureMatrix(values, checked((int)rows));
    }

    private static FeatureMatrix FromColumns(
        IReadOnlyList<Tensor> inputs, int featureCount, IReadOnlyList<string>? featureNames, Func<int, string> countMismatch)
    {
        if (inputs.Count != featureCount)
        {
            throw InferenceException.InvalidInput(countMismatch(inputs.Count));
        }

        var order = new int[featureCount];
        var byName = featureNames is not null
            && inputs.Select(i => i.Name).Order(StringComparer.Ordinal).SequenceEqual(featureNames.Order(StringComparer.Ordinal), StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            order[i] = byName ? IndexOf(featureNames!, inputs[i].Name) : i;
        }

        var rows = inputs[0].ElementCount;
        foreach (var input in inputs)
        {
            if (input.ElementCount != rows)
            {
                throw InferenceException.InvalidInput(
                    $"Column '{input.Name}' has {input.ElementCount} values but column '{inputs[0].Name}' has {rows}.");
            }
        }

        var values = new double[checked(rows * featureCount)];
        for (var i = 0; i < inputs.Count; i++)
        {
            var column = Numbers(inputs[i]);
            var f = order[i];
            for (var r = 0; r < rows; r++)
            {
                values[r * featureCount + f] = column[r];
            }
        }

        return new FeatureMatrix(values, (int)rows);
    }

    /// <summary>XGBoost's <c>Booster._validate_features</c> check, but columns in another order are accepted and reordered.</summary>
    private static void CheckNames(IReadOnlyList<Tensor> inputs, IReadOnlyList<string> featureNames)
    {
        var columns = inputs.Select(i => i.Name).ToArray();
        var expected = featureNames.Where(n => !columns.Contains(n, StringComparer.Ordinal)).ToArray();
        var unknown = columns.Where(n => !featureNames.Contains(n, StringComparer.Ordinal)).ToArray();
        var duplicated = columns.Length != columns.Distinct(StringComparer.Ordinal).Count();
        if (expected.Length == 0 && unknown.Length == 0 && !duplicated)
        {
            return;
        }

        var message = $"feature_names mismatch: {PythonList(featureNames)} {PythonList(columns)}";
        if (expected.Length > 0)
        {
            message += $"\nexpected {string.Join(", ", expected)} in input data";
        }

        if (unknown.Length > 0)
        {
            message += $"\ntraining data did not have the following fields: {string.Join(", ", unknown)}";
        }

        throw InferenceException.InvalidInput(message);
    }

    private static string PythonList(IEnumerable<string> names) =>
        "[" + string.Join(", ", names.Select(n => "'" + n.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'")) + "]";

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static double[] Numbers(Tensor input)
    {
        if (input.DataType == TensorDataType.Bytes)
        {
            throw InferenceException.InvalidInput(
                $"Input '{input.Name}' holds BYTES{Describe(input.Parameters.GetString(InferParameters.Names.ContentType))}; expected numeric features.");
        }

        return input.ToDoubleArray();
    }

    private static string Describe(string? contentType) =>
        contentType is null ? string.Empty : $" (a request body of content type '{contentType}'; send JSON)";
}

/// <summary>How <c>content_type: pd</c> columns are matched to a model's feature names.</summary>
internal enum ColumnNames
{
    /// <summary>By name when the columns are exactly the feature names (in any order), else in request order.</summary>
    MatchWhenAllKnown,

    /// <summary>
    /// Columns must be exactly the feature names (in any order), else a 400 error as XGBoost words it, naming the
    /// missing and unknown columns.
    /// </summary>
    MustMatch,
}
