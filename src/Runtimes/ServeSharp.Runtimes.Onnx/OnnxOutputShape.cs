using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// An output's shape as the graph declares it, in terms of the inputs' shapes: each dimension is either fixed or a
/// named (symbolic) dimension that also names a dimension of an input, e.g. output <c>[N]</c> of input <c>[N,4]</c>.
/// The declaration is only a promise: a run with an output buffer of the predicted shape fails when the graph
/// breaks it, and <see cref="OnnxModel"/> then runs again without one.
/// </summary>
internal sealed class OnnxOutputShape
{
    // Per output dimension: >= 0 a fixed size; otherwise -(1 + k) for the k-th entry of _sources.
    private readonly long[] _dims;
    private readonly (int Input, int Dim)[][] _sources;

    private OnnxOutputShape(long[] dims, (int Input, int Dim)[][] sources)
    {
        _dims = dims;
        _sources = sources;
    }

    /// <summary>
    /// The plan for an output with declared <paramref name="dimensions"/> (-1 = not fixed) and
    /// <paramref name="symbols"/> (the names of the non-fixed ones), or null when some dimension is neither fixed nor
    /// named by an input, or the output holds strings (which ONNX Runtime cannot write into a caller's buffer).
    /// </summary>
    public static OnnxOutputShape? TryCreate(
        TensorDataType dataType, long[] dimensions, string[] symbols, IReadOnlyList<(long[] Dimensions, string[] Symbols)> inputs)
    {
        if (dataType == TensorDataType.Bytes || symbols.Length != dimensions.Length)
        {
            return null;
        }

        var dims = new long[dimensions.Length];
        var sources = new List<(int Input, int Dim)[]>();
        for (var d = 0; d < dimensions.Length; d++)
        {
            if (dimensions[d] >= 0)
            {
                dims[d] = dimensions[d];
                continue;
            }

            var symbol = symbols[d];
            if (string.IsNullOrEmpty(symbol))
            {
                return null;
            }

            var matches = new List<(int Input, int Dim)>();
            for (var i = 0; i < inputs.Count; i++)
            {
                var (inputDims, inputSymbols) = inputs[i];
                for (var k = 0; k < inputDims.Length && k < inputSymbols.Length; k++)
                {
                    if (inputDims[k] < 0 && string.Equals(inputSymbols[k], symbol, StringComparison.Ordinal))
                    {
                        matches.Add((i, k));
                    }
                }
            }

            if (matches.Count == 0)
            {
                return null;
            }

            dims[d] = -(1 + sources.Count);
            sources.Add([.. matches]);
        }

        return new OnnxOutputShape(dims, [.. sources]);
    }

    /// <summary>
    /// The output's shape for a run with inputs of <paramref name="inputShapes"/> (by graph input index), or null
    /// when it cannot be told: an input's rank differs from its declaration, or one name stands for two sizes.
    /// </summary>
    public long[]? Resolve(ReadOnlySpan<long[]?> inputShapes)
    {
        var shape = new long[_dims.Length];
        for (var d = 0; d < _dims.Length; d++)
        {
            var dim = _dims[d];
            if (dim >= 0)
            {
                shape[d] = dim;
                continue;
            }

            long size = -1;
            foreach (var (input, k) in _sources[-(int)dim - 1])
            {
                var inputShape = inputShapes[input];
                if (inputShape is null || k >= inputShape.Length || (size >= 0 && inputShape[k] != size))
                {
                    return null;
                }

                size = inputShape[k];
            }

            shape[d] = size;
        }

        return shape;
    }
}
