using ServeSharp.Runtimes.Sklearn.Pickle;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Composition;

/// <summary>sklearn.pipeline.FeatureUnion: every transformer sees all columns; outputs are concatenated (and weighted).</summary>
public sealed class FeatureUnion : ITransformer
{
    private readonly List<(ITransformer? Transformer, double Weight)> _parts = [];

    /// <summary>Builds the transformers through <paramref name="factory"/>.</summary>
    public FeatureUnion(SkObject est, EstimatorFactory factory, int depth)
    {
        var weights = est.Get("transformer_weights") as PyDict;
        foreach (var item in est.List("transformer_list"))
        {
            if (item is not PyTuple { Count: 2 } t || t[0] is not string name)
            {
                throw est.WrongType("transformer_list", "a list of (name, transformer)");
            }

            if (t[1] is "drop" or null)
            {
                continue;
            }

            var weight = weights is not null && weights.TryGetValue(name, out var w) ? SkObject.ToDouble(w) ?? 1 : 1;
            _parts.Add((t[1] is "passthrough" ? null : factory.CreateTransformer(t[1], depth + 1), weight));
        }
    }

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        var outputs = new List<FeatureFrame>(_parts.Count);
        foreach (var (transformer, weight) in _parts)
        {
            var y = transformer is null ? x : transformer.Transform(x);
            if (weight != 1)
            {
                var m = (double[])y.ToMatrix().Clone();
                for (var i = 0; i < m.Length; i++)
                {
                    m[i] *= weight;
                }

                y = FeatureFrame.FromMatrix(m, y.Rows, y.Columns);
            }

            outputs.Add(y);
        }

        return FeatureFrame.HStack(outputs, x.Rows);
    }
}
