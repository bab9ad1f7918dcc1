namespace ServeSharp.Runtimes.Trees.XGBoost;

/// <summary>
/// XGBoost 1.x objectives at prediction time: how the stored base score becomes a margin (<c>ProbToMargin</c>) and
/// how margins become <c>Booster.predict</c> output (<c>PredTransform</c>), both in float32 like XGBoost.
/// </summary>
internal sealed class XGBoostObjective
{
    private readonly Kind _kind;

    private XGBoostObjective(string name, Kind kind)
    {
        Name = name;
        _kind = kind;
    }

    private enum Kind
    {
        Identity,
        Logistic,
        LogitRaw,
        Exp,
        Hinge,
        SoftProb,
        SoftMax,
    }

    public string Name { get; }

    /// <summary>True when a row's outputs are collapsed to one value (multi:softmax's class index).</summary>
    public bool CollapsesGroups => _kind == Kind.SoftMax;

    /// <exception cref="FormatException">The objective is not supported.</exception>
    public static XGBoostObjective Create(string name) => name switch
    {
        "reg:squarederror" or "reg:linear" or "reg:squaredlogerror" or "reg:pseudohubererror"
            or "reg:absoluteerror" or "reg:quantileerror" or "rank:pairwise" or "rank:ndcg" or "rank:map"
            => new(name, Kind.Identity),
        "reg:logistic" or "binary:logistic" => new(name, Kind.Logistic),
        "binary:logitraw" => new(name, Kind.LogitRaw),
        "count:poisson" or "reg:gamma" or "reg:tweedie" or "survival:cox" => new(name, Kind.Exp),
        "binary:hinge" => new(name, Kind.Hinge),
        "multi:softprob" => new(name, Kind.SoftProb),
        "multi:softmax" => new(name, Kind.SoftMax),
        _ => throw new FormatException($"unsupported objective '{name}'"),
    };

    /// <summary>The margin the sum of trees starts from.</summary>
    /// <exception cref="FormatException">The base score is outside the objective's domain.</exception>
    public float ProbToMargin(float baseScore)
    {
        switch (_kind)
        {
            case Kind.Logistic:
                if (!(baseScore > 0.0f && baseScore < 1.0f))
                {
                    throw new FormatException($"base_score {baseScore} must be in (0, 1) for {Name}");
                }

                return -MathF.Log(1.0f / baseScore - 1.0f);
            case Kind.Exp:
                return MathF.Log(baseScore);
            default:
                return baseScore;
        }
    }

    /// <summary>Transforms one row's margins in place; for multi:softmax writes the class index to <c>row[0]</c>.</summary>
    public void Transform(Span<float> row)
    {
        switch (_kind)
        {
            case Kind.Logistic:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = Sigmoid(row[i]);
                }

                break;
            case Kind.Exp:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = MathF.Exp(row[i]);
                }

                break;
            case Kind.Hinge:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = row[i] > 0.0f ? 1.0f : 0.0f;
                }

                break;
            case Kind.SoftProb:
                Softmax(row);
                break;
            case Kind.SoftMax:
                row[0] = ArgMax(row);
                break;
        }
    }

    // common::Sigmoid(float) of XGBoost 1.7: the exponent is clamped to 88.7 and a tiny epsilon added, so large negative
    // margins give ~3e-39 rather than 0.
    private static float Sigmoid(float x)
    {
        const float eps = 1e-16f;
        var e = MathF.Min(-x, 88.7f);
        var denominator = MathF.Exp(e) + 1.0f + eps;
        return 1.0f / denominator;
    }

    // common::Softmax: max in float, exponentials in float, their sum in double, division by the sum cast to float.
    private static void Softmax(Span<float> row)
    {
        var max = row[0];
        for (var i = 1; i < row.Length; i++)
        {
            max = float.MaxNumber(row[i], max); // fmaxf: a NaN operand is ignored
        }

        double sum = 0;
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = MathF.Exp(row[i] - max);
            sum += row[i];
        }

        for (var i = 0; i < row.Length; i++)
        {
            row[i] /= (float)sum;
        }
    }

    // common::FindMaxIndex: the first index holding the maximum (std::max_element).
    private static float ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            if (row[best] < row[i])
            {
                best = i;
            }
        }

        return best;
    }
}
