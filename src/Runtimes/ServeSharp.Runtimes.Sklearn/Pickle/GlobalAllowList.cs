using System.Text.RegularExpressions;

namespace ServeSharp.Runtimes.Sklearn.Pickle;

/// <summary>
/// Decides which <c>module.name</c> globals a pickle may reference, and what each one is. Everything not listed here
/// is refused with <see cref="PickleSecurityException"/> before anything else happens, so <c>os.system</c>,
/// <c>builtins.eval</c>, <c>subprocess.Popen</c>, <c>builtins.getattr</c> and friends never even become values.
/// </summary>
public static partial class GlobalAllowList
{
    private static readonly Dictionary<string, GlobalKind> Exact = Build();

    // numpy ufuncs FunctionTransformer may hold (pure element-wise math, evaluated natively by this runtime).
    private static readonly HashSet<string> Ufuncs = new(StringComparer.Ordinal)
    {
        "log1p", "expm1", "log", "log2", "log10", "exp", "exp2", "sqrt", "cbrt", "square", "absolute", "abs",
        "negative", "reciprocal", "sign", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
        "arcsinh", "arccosh", "arctanh", "floor", "ceil", "rint", "trunc",
    };

    private static readonly string[] UfuncModules = ["numpy", "numpy.core._multiarray_umath", "numpy._core._multiarray_umath", "numpy.core.umath"];

    private static readonly string[] ScalarTypes =
    [
        "float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8",
        "bool_", "object_", "str_", "bytes_", "double", "single", "intc", "int_", "longlong",
    ];

    /// <summary>Resolves a global or throws <see cref="PickleSecurityException"/>.</summary>
    public static PyGlobal Resolve(string module, string name)
    {
        var full = module + "." + name;
        if (Exact.TryGetValue(full, out var kind))
        {
            return new PyGlobal(module, name, kind);
        }

        if (Ufuncs.Contains(name) && UfuncModules.Contains(module))
        {
            return new PyGlobal(module, name, GlobalKind.Ufunc);
        }

        if ((module == "numpy" || module == "numpy.core.numerictypes") && ScalarTypes.Contains(name))
        {
            return new PyGlobal(module, name, GlobalKind.NumpyScalarType);
        }

        if (SklearnModule().IsMatch(module))
        {
            // Cython extension types pickle through module-level helpers that only rebuild the object.
            if (name.StartsWith("__pyx_unpickle_", StringComparison.Ordinal) || name == "newObj")
            {
                return new PyGlobal(module, name, GlobalKind.InertFactory);
            }

            if (ClassName().IsMatch(name))
            {
                return new PyGlobal(module, name, GlobalKind.InertClass);
            }

            throw new PickleSecurityException(full, "only scikit-learn classes are allowed, not functions");
        }

        throw new PickleSecurityException(full, "it is not on the allow-list of numpy, joblib, copyreg and scikit-learn names");
    }

    private static Dictionary<string, GlobalKind> Build()
    {
        var d = new Dictionary<string, GlobalKind>(StringComparer.Ordinal);
        foreach (var np in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
        {
            d[np + "._reconstruct"] = GlobalKind.Reconstruct;
            d[np + ".scalar"] = GlobalKind.Scalar;
        }

        d["numpy.core.numeric._frombuffer"] = GlobalKind.FromBuffer;
        d["numpy._core.numeric._frombuffer"] = GlobalKind.FromBuffer;
        d["numpy.ndarray"] = GlobalKind.NdarrayClass;
        d["numpy.dtype"] = GlobalKind.DType;
        d["numpy.random._pickle.__randomstate_ctor"] = GlobalKind.InertFactory;
        d["numpy.random._pickle.__bit_generator_ctor"] = GlobalKind.InertFactory;
        d["numpy.random._pickle.__generator_ctor"] = GlobalKind.InertFactory;
        d["joblib.numpy_pickle.NumpyArrayWrapper"] = GlobalKind.JoblibArrayWrapper;
        d["sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper"] = GlobalKind.JoblibArrayWrapper;
        d["_codecs.encode"] = GlobalKind.CodecsEncode;
        // scipy's CSR matrix (support_vectors_ / _dual_coef_ of an SVM fitted on sparse data): pickled as a plain
        // object whose state is its arrays; it is only ever read as data.
        d["scipy.sparse._csr.csr_matrix"] = GlobalKind.InertClass;
        d["scipy.sparse.csr.csr_matrix"] = GlobalKind.InertClass;
        d["copyreg._reconstructor"] = GlobalKind.CopyregReconstructor;
        d["copy_reg._reconstructor"] = GlobalKind.CopyregReconstructor;
        d["copyreg.__newobj__"] = GlobalKind.CopyregNewObj;
        d["collections.OrderedDict"] = GlobalKind.OrderedDict;
        foreach (var b in new[] { "builtins", "__builtin__" })
        {
            d[b + ".slice"] = GlobalKind.Slice;
            d[b + ".set"] = GlobalKind.Set;
            d[b + ".frozenset"] = GlobalKind.Set;
            d[b + ".bytes"] = GlobalKind.Bytes;
            d[b + ".bytearray"] = GlobalKind.Bytes;
            d[b + ".object"] = GlobalKind.Object;
        }

        return d;
    }

    [GeneratedRegex(@"^sklearn(\.[A-Za-z_][A-Za-z0-9_]*)+$")]
    private static partial Regex SklearnModule();

    [GeneratedRegex(@"^_?[A-Z][A-Za-z0-9_]*$")]
    private static partial Regex ClassName();
}
