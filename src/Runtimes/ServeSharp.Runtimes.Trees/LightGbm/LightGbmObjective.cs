using System.Globalization;

namespace ServeSharp.Runtimes.Trees.LightGbm;

/// <summary>
/// LightGBM objectives at prediction time (<c>ObjectiveFunction::ConvertOutput</c>), parsed from the model's
/// <c>objective=</c> line, e.g. <c>binary sigmoid:1</c>, <c>multiclass num_class:3</c>, <c>regression sqrt</c>.
/// </summary>
internal sealed class LightGbmObjective
{
    private readonly Kind _kind;
    private readonly double _sigmoid;

    private LightGbmObjective(string name, Kind kind, double sigmoid)
    {
        Name = name;
        _kind = kind;
        _sigmoid = sigmoid;
    }

    private enum Kind
    {
        Identity,
        Sqrt,
        Sigmoid,
        SoftMax,
        SigmoidPerClass,
        Exp,
        LogOnePlusExp,
    }

    public string Name { get; }

    /// <exception cref="FormatException">The objective is unknown or its parameters are invalid.</exception>
    public static LightGbmObjective Parse(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return new("none", Kind.Identity, 1);
        }

        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var name = tokens[0];
        var sqrt = tokens.Contains("sqrt");
        var sigmoid = 1.0;
        foreach (var token in tokens.Skip(1))
        {
            if (token.StartsWith("sigmoid:", StringComparison.Ordinal)
                && (!double.TryParse(token["sigmoid:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out sigmoid) || !(sigmoid > 0)))
            {
                throw new FormatException($"invalid sigmoid parameter in objective '{line}'");
            }
        }

        var kind = name switch
        {
            "regression" or "regression_l2" or "l2" or "mean_squared_error" or "mse" or "l2_root" or "root_mean_squared_error" or "rmse"
                or "regression_l1" or "l1" or "mean_absolute_error" or "mae" or "huber" or "fair" or "quantile"
                or "mape" or "mean_absolute_percentage_error" => sqrt ? Kind.Sqrt : Kind.Identity,
            "lambdarank" or "rank_xendcg" or "xendcg" or "xe_ndcg" or "xe_ndcg_mart" or "xendcg_mart" or "custom" => Kind.Identity,
            "binary" => Kind.Sigmoid,
            "multiclass" or "softmax" => Kind.SoftMax,
            "multiclassova" or "multiclass_ova" or "ova" or "ovr" => Kind.SigmoidPerClass,
            "cross_entropy" or "xentropy" => Kind.Sigmoid,
            "cross_entropy_lambda" or "xentlambda" => Kind.LogOnePlusExp,
            "poisson" or "gamma" or "tweedie" => Kind.Exp,
            _ => throw new FormatException($"unsupported objective '{name}'"),
        };
        return new(name, kind, sigmoid);
    }

    /// <summary>Converts one row's raw scores in place.</summary>
    public void Convert(Span<double> row)
    {
        switch (_kind)
        {
            case Kind.Sqrt:
                // Common::Sign is (x > 0) - (x < 0), so NaN stays NaN instead of throwing like Math.Sign.
                row[0] = ((row[0] > 0 ? 1 : 0) - (row[0] < 0 ? 1 : 0)) * row[0] * row[0];
                break;
            case Kind.Sigmoid:
            case Kind.SigmoidPerClass:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = 1.0 / (1.0 + Math.Exp(-_sigmoid * row[i]));
                }

                break;
            case Kind.Exp:
                row[0] = Math.Exp(row[0]);
                break;
            case Kind.LogOnePlusExp:
                row[0] = NativeLog1p.Compute(Math.Exp(row[0]));
                break;
            case Kind.SoftMax:
                Softmax(row);
                break;
        }
    }

    // Common::Softmax: everything in double; std::max(a, b) is (a < b) ? b : a.
    private static void Softmax(Span<double> row)
    {
        var max = row[0];
        for (var i = 1; i < row.Length; i++)
        {
            max = row[i] < max ? max : row[i]; // std::max(input[i], wmax)
        }

        var sum = 0.0;
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
}
