namespace ServeSharp.Runtimes.Sklearn.Estimators;

/// <summary>The element-wise functions scikit-learn uses, written the way numpy/scipy compute them.</summary>
internal static class VectorMath
{
    /// <summary>scipy.special.expit: <c>1 / (1 + exp(-x))</c>.</summary>
    public static double Expit(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>sklearn.utils.extmath.softmax on one row, in place: subtract the max, exp, divide by the sum.</summary>
    public static void SoftmaxInPlace(Span<double> row)
    {
        var max = double.NegativeInfinity;
        foreach (var v in row)
        {
            max = Math.Max(max, v);
        }

        double sum = 0;
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = Math.Exp(row[i] - max);
            sum += row[i];
        }

        for (var i = 0; i < row.Length; i++)
        {
            row[i] /= sum;
        }
    }

    /// <summary>scipy.special.logsumexp of one row.</summary>
    public static double LogSumExp(ReadOnlySpan<double> row)
    {
        var max = double.NegativeInfinity;
        foreach (var v in row)
        {
            max = Math.Max(max, v);
        }

        if (!double.IsFinite(max))
        {
            max = 0;
        }

        double sum = 0;
        foreach (var v in row)
        {
            sum += Math.Exp(v - max);
        }

        return Math.Log(sum) + max;
    }

    /// <summary>Index of the first maximum (numpy argmax).</summary>
    public static int ArgMax(ReadOnlySpan<double> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            // NaN wins in numpy's argmax; keep the first NaN like numpy does.
            if (row[i] > row[best] || (double.IsNaN(row[i]) && !double.IsNaN(row[best])))
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Dot product of two equally long spans.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}
