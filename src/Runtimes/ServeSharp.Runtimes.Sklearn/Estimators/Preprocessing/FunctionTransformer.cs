using ServeSharp.Runtimes.Sklearn.Pickle;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;

/// <summary>
/// sklearn.preprocessing.FunctionTransformer whose <c>func</c> is an allow-listed numpy ufunc (or None, the
/// identity). Arbitrary Python functions cannot be pickled by value and are refused by the unpickler already.
/// </summary>
public sealed class FunctionTransformer : ITransformer
{
    private readonly Func<double, double>? _func;

    /// <summary>Reads <c>func</c>.</summary>
    public FunctionTransformer(SkObject est)
    {
        if (est.Get("kw_args") is PyDict { Count: > 0 })
        {
            throw est.Unsupported("kw_args");
        }

        _func = est.Get("func") switch
        {
            null => null,
            PyGlobal { Kind: GlobalKind.Ufunc } g => Ufunc(g.Name) ?? throw est.Unsupported($"func numpy.{g.Name}"),
            var other => throw est.Unsupported($"func {PickleReader.Describe(other)} (only allow-listed numpy ufuncs)"),
        };
    }

    /// <inheritdoc />
    public FeatureFrame Transform(FeatureFrame x)
    {
        if (_func is null)
        {
            return x;
        }

        var m = x.ToMatrix();
        var r = new double[m.Length];
        for (var i = 0; i < m.Length; i++)
        {
            r[i] = _func(m[i]);
        }

        return FeatureFrame.FromMatrix(r, x.Rows, x.Columns, x.Names);
    }

    private static Func<double, double>? Ufunc(string name) => name switch
    {
        "log1p" => LogOnePlus,
        "expm1" => ExpMinusOne,
        "log" => Math.Log,
        "log2" => Math.Log2,
        "log10" => Math.Log10,
        "exp" => Math.Exp,
        "exp2" => v => Math.Pow(2, v),
        "sqrt" => Math.Sqrt,
        "cbrt" => Math.Cbrt,
        "square" => v => v * v,
        "absolute" or "abs" => Math.Abs,
        "negative" => v => -v,
        "reciprocal" => v => 1.0 / v,
        "sign" => v => double.IsNaN(v) ? double.NaN : Math.Sign(v),
        "sin" => Math.Sin,
        "cos" => Math.Cos,
        "tan" => Math.Tan,
        "arcsin" => Math.Asin,
        "arccos" => Math.Acos,
        "arctan" => Math.Atan,
        "sinh" => Math.Sinh,
        "cosh" => Math.Cosh,
        "tanh" => Math.Tanh,
        "arcsinh" => Math.Asinh,
        "arccosh" => Math.Acosh,
        "arctanh" => Math.Atanh,
        "floor" => Math.Floor,
        "ceil" => Math.Ceiling,
        "rint" => v => Math.Round(v, MidpointRounding.ToEven),
        "trunc" => Math.Truncate,
        _ => null,
    };

    // numpy's log1p/expm1 call the C library's, which stay accurate near zero where log(1 + x) does not
    // (.NET's double.LogP1 is log(1 + x)); these are Kahan's compensated forms.
    private static double LogOnePlus(double v)
    {
        var u = 1.0 + v;
        return u == 1.0 ? v : Math.Log(u) * v / (u - 1.0);
    }

    private static double ExpMinusOne(double v)
    {
        var u = Math.Exp(v);
        if (u == 1.0)
        {
            return v;
        }

        var um1 = u - 1.0;
        return um1 == -1.0 ? -1.0 : um1 * v / Math.Log(u);
    }
}
