using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators;

namespace ServeSharp.Runtimes.Sklearn.Serving;

/// <summary>
/// A numeric [rows, features] request input read a block of rows at a time. Every scikit-learn transformer and
/// estimator works row by row at predict time, so predicting block by block gives the same numbers as one call,
/// while every intermediate array (scaled copies, encoded columns, decision values) stays small: a 1,000-row
/// request then never allocates per-step copies on the large-object heap, whose budget would otherwise force a
/// full (gen 2) collection every few requests.
/// </summary>
internal sealed class DenseRequestRows
{
    // Input bytes per block: well under the 85,000-byte large-object threshold even after a transformer widens
    // the rows a few times.
    private const int BlockBytes = 8 * 1024;

    private readonly Tensor _tensor;
    private readonly double[]? _converted;

    private DenseRequestRows(Tensor tensor, int rows, int columns)
    {
        _tensor = tensor;
        // Integer, BOOL and half inputs are rare for scikit-learn models: convert them once, then copy blocks.
        _converted = tensor.DataType is TensorDataType.FP64 or TensorDataType.FP32 ? null : tensor.ToDoubleArray();
        Rows = rows;
        Columns = columns;
        RowsPerBlock = RowsPerBlockFor(columns);
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Features per row.</summary>
    public int Columns { get; }

    /// <summary>Rows in each block (the last one may be shorter).</summary>
    public int RowsPerBlock { get; }

    /// <summary>Number of blocks.</summary>
    public int BlockCount => (Rows + RowsPerBlock - 1) / RowsPerBlock;

    /// <summary>
    /// The request's input as blocks when it is a plain numeric 2-D array of more than one block; null when the
    /// request needs the general decoder (named columns, strings, one small block).
    /// </summary>
    public static DenseRequestRows? TryCreate(InferenceRequest request)
    {
        if (request.Inputs.Count == 0 || request.Parameters.GetString(InferParameters.Names.ContentType) == "pd")
        {
            return null;
        }

        var t = request.Inputs[0];
        if (t.Shape.Length != 2 || t.DataType == TensorDataType.Bytes || t.Shape[0] > int.MaxValue || t.Shape[1] > int.MaxValue)
        {
            return null;
        }

        var rows = (int)t.Shape[0];
        var columns = (int)t.Shape[1];
        return rows > RowsPerBlockFor(columns) ? new DenseRequestRows(t, rows, columns) : null;
    }

    private static int RowsPerBlockFor(int columns) => Math.Clamp(BlockBytes / sizeof(double) / Math.Max(1, columns), 8, 1024);

    /// <summary>Block <paramref name="index"/> as a frame over its own copy of the rows.</summary>
    public FeatureFrame Block(int index)
    {
        var start = index * RowsPerBlock;
        var count = Math.Min(RowsPerBlock, Rows - start);
        var values = new double[count * Columns];
        var from = start * Columns;
        switch (_tensor.DataType)
        {
            case TensorDataType.FP64:
                Array.Copy((double[])_tensor.Data, from, values, 0, values.Length);
                break;
            case TensorDataType.FP32:
                var floats = ((float[])_tensor.Data).AsSpan(from, values.Length);
                for (var i = 0; i < floats.Length; i++)
                {
                    values[i] = floats[i];
                }

                break;
            default:
                Array.Copy(_converted!, from, values, 0, values.Length);
                break;
        }

        return FeatureFrame.FromMatrix(values, count, Columns);
    }
}
