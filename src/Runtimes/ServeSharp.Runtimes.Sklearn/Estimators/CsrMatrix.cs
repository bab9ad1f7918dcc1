using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Estimators;

/// <summary>A pickled <c>scipy.sparse.csr_matrix</c> (<c>_shape</c>, <c>data</c>, <c>indices</c>, <c>indptr</c>) made dense.</summary>
internal static class CsrMatrix
{
    // Dense copies above this many elements are refused (a hostile _shape must not claim gigabytes).
    private const long MaxDenseElements = 64L * 1024 * 1024;

    public static NdArray ToDense(SkObject csr, SkObject owner, string attribute)
    {
        var shape = csr.List("_shape");
        if (shape.Count != 2 || SkObject.ToDouble(shape[0]) is not { } r || SkObject.ToDouble(shape[1]) is not { } c || r < 0 || c < 0)
        {
            throw owner.WrongType(attribute, "a CSR matrix with a 2-D _shape");
        }

        var rows = (long)r;
        var cols = (long)c;
        if (rows * cols > MaxDenseElements)
        {
            throw owner.WrongType(attribute, $"a CSR matrix of at most {MaxDenseElements} elements when dense");
        }

        var data = csr.Array("data").ToDoubles();
        var indices = csr.Array("indices").ToLongs();
        var indptr = csr.Array("indptr").ToLongs();
        if (indptr.Length != rows + 1 || indices.Length != data.Length || indptr[0] != 0 || indptr[^1] != data.Length)
        {
            throw owner.WrongType(attribute, "a consistent CSR matrix (indptr, indices and data disagree)");
        }

        // Every row's entries lie within data: indptr[0] = 0 and indptr[rows] = data.Length were checked above, so a
        // non-decreasing indptr is all that is left (a later row must not point back before an earlier one's end).
        for (var i = 0; i < rows; i++)
        {
            if (indptr[i] > indptr[i + 1])
            {
                throw owner.WrongType(attribute, "a CSR matrix with non-decreasing indptr");
            }
        }

        var dense = new double[rows * cols];
        for (var i = 0; i < rows; i++)
        {
            for (var p = indptr[i]; p < indptr[i + 1]; p++)
            {
                var j = indices[p];
                if (j < 0 || j >= cols)
                {
                    throw owner.WrongType(attribute, $"a CSR matrix whose column indices are below {cols}");
                }

                // scipy sums duplicate entries when it densifies.
                dense[i * cols + j] += data[p];
            }
        }

        return new NdArray(NumpyDType.FromSpec("f8"), [rows, cols], dense);
    }
}
