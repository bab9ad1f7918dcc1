using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators.Linear;
using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Neural;

/// <summary>
/// MLPClassifier / MLPRegressor forward pass (<c>_forward_pass_fast</c>): per layer <c>a @ W + b</c>, the hidden
/// activation between layers and <c>out_activation_</c> at the end. Classifier labels come from the label binarizer
/// rule: argmax for several classes, <c>p &gt; 0.5</c> for two.
/// </summary>
public sealed class MultilayerPerceptron : IPredictor
{
    private readonly double[][] _weights;
    private readonly double[][] _biases;
    private readonly int[] _sizes;
    private readonly string _hidden;
    private readonly string _output;
    private readonly ClassLabels? _classes;

    /// <summary>Reads the fitted attributes.</summary>
    public MultilayerPerceptron(SkObject est, bool classifier)
    {
        var coefs = est.List("coefs_").Select(c => c as NdArray ?? throw est.WrongType("coefs_", "a list of arrays")).ToArray();
        if (coefs.Length == 0 || Array.Exists(coefs, c => c.Rank != 2) ||
            Enumerable.Range(1, coefs.Length - 1).Any(i => coefs[i].Shape[0] != coefs[i - 1].Shape[1]))
        {
            throw est.WrongType("coefs_", "2-D weight arrays, each with a row for each column of the one before");
        }

        _weights = coefs.Select(c => c.ToDoubles()).ToArray();
        _biases = est.List("intercepts_").Select(c => (c as NdArray ?? throw est.WrongType("intercepts_", "a list of arrays")).ToDoubles()).ToArray();
        _sizes = [(int)coefs[0].Shape[0], .. coefs.Select(c => (int)c.Shape[1])];
        if (_biases.Length != coefs.Length || Enumerable.Range(0, coefs.Length).Any(i => _biases[i].Length != _sizes[i + 1]))
        {
            throw est.WrongType("intercepts_", "a bias array for each layer of coefs_, as long as its columns");
        }

        _hidden = est.String("activation");
        _output = est.String("out_activation_");
        foreach (var a in new[] { _hidden, _output })
        {
            if (a is not ("identity" or "logistic" or "tanh" or "relu" or "softmax"))
            {
                throw est.Unsupported($"activation '{a}'");
            }
        }

        if (classifier)
        {
            _classes = new ClassLabels(est.Array("classes_"), est.ClassName);
            if (_classes.Count < 2 || _sizes[^1] != _classes.DecisionColumns)
            {
                throw est.WrongType("coefs_", $"an output layer of {_classes.DecisionColumns} unit(s) for {_classes.Count} classes (at least 2)");
            }
        }
    }

    /// <inheritdoc />
    public int? FeatureCount => _sizes[0];

    /// <inheritdoc />
    public bool HasPredictProba => _classes is not null;

    /// <inheritdoc />
    public Tensor Predict(FeatureFrame x, string outputName)
    {
        var y = Forward(x);
        var outs = _sizes[^1];
        if (_classes is null)
        {
            return Tensor.Create(outputName, outs == 1 ? [x.Rows] : [x.Rows, outs], y);
        }

        var idx = new int[x.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            idx[i] = outs == 1 ? (y[i] > 0.5 ? 1 : 0) : VectorMath.ArgMax(y.AsSpan(i * outs, outs));
        }

        return _classes.Take(idx, outputName);
    }

    /// <inheritdoc />
    public double[] PredictProba(FeatureFrame x, out int classes)
    {
        var y = Forward(x);
        classes = _classes!.Count;
        if (_sizes[^1] != 1)
        {
            return y;
        }

        var p = new double[x.Rows * 2];
        for (var i = 0; i < x.Rows; i++)
        {
            p[2 * i] = 1 - y[i];
            p[2 * i + 1] = y[i];
        }

        return p;
    }

    private double[] Forward(FeatureFrame x)
    {
        LinearFunction.CheckFeatures(x, _sizes[0]);
        var a = x.ToMatrix();
        var n = x.Rows;
        for (var layer = 0; layer < _weights.Length; layer++)
        {
            var inW = _sizes[layer];
            var outW = _sizes[layer + 1];
            var w = _weights[layer];
            var b = _biases[layer];
            var z = new double[n * outW];
            for (var i = 0; i < n; i++)
            {
                var row = z.AsSpan(i * outW, outW);
                for (var k = 0; k < inW; k++)
                {
                    var v = a[i * inW + k];
                    var wr = w.AsSpan(k * outW, outW);
                    for (var o = 0; o < outW; o++)
                    {
                        row[o] += v * wr[o];
                    }
                }

                for (var o = 0; o < outW; o++)
                {
                    row[o] += b[o];
                }

                Activate(layer == _weights.Length - 1 ? _output : _hidden, row);
            }

            a = z;
        }

        return a;
    }

    private static void Activate(string kind, Span<double> row)
    {
        switch (kind)
        {
            case "logistic":
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = VectorMath.Expit(row[i]);
                }

                break;
            case "tanh":
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = Math.Tanh(row[i]);
                }

                break;
            case "relu":
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = Math.Max(row[i], 0);
                }

                break;
            case "softmax":
                VectorMath.SoftmaxInPlace(row);
                break;
        }
    }
}
