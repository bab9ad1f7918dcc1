namespace ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;

/// <summary>sklearn.preprocessing.Normalizer: each row divided by its l1, l2 or max norm (zero norms left alone).</summary>
public sealed class Normalizer : ITransformer
{
    private readonly string _norm;

    /// <summary>Reads <c>norm</c>.</summary>
    public Normalizer(SkObject est)
    {
        _norm = est.String("norm");
        if (_norm is not ("l1" or "l2" or "max"))
        {
            throw est.Unsupported($"norm '{_norm}'");
        }
    }

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        var m = (double[])x.ToMatrix().Clone();
        var d = x.Columns;
        for (var i = 0; i < x.Rows; i++)
        {
            var row = m.AsSpan(i * d, d);
            double norm = 0;
            switch (_norm)
            {
                case "l1":
                    foreach (var v in row)
                    {
                        norm += Math.Abs(v);
                    }

                    break;
                case "l2":
                    foreach (var v in row)
                    {
                        norm += v * v;
                    }

                    norm = Math.Sqrt(norm);
                    break;
                default:
                    foreach (var v in row)
                    {
                        norm = Math.Max(norm, Math.Abs(v));
                    }

                    break;
            }

            // _handle_zeros_in_scale: norms below 10 * eps count as zero and become 1.
            if (norm < 10 * 2.220446049250313e-16)
            {
                norm = 1.0;
            }

            for (var j = 0; j < d; j++)
            {
                row[j] /= norm;
            }
        }

        return FeatureFrame.FromMatrix(m, x.Rows, d);
    }
}
