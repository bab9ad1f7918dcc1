using System.Numerics;
using ServeSharp.Runtimes.Sklearn.Numpy;
using ServeSharp.Runtimes.Sklearn.Pickle;

namespace ServeSharp.Runtimes.Sklearn.Estimators;

/// <summary>
/// Typed access to the attributes of a pickled scikit-learn object. A missing or mistyped attribute is an error
/// that names the class, the attribute and the scikit-learn version that wrote the file — never a default.
/// </summary>
public sealed class SkObject
{
    /// <summary>Wraps <paramref name="instance"/>.</summary>
    public SkObject(PyInstance instance)
    {
        Instance = instance;
    }

    /// <summary>The wrapped instance.</summary>
    public PyInstance Instance { get; }

    /// <summary><c>module.Class</c>.</summary>
    public string ClassName => Instance.Type.FullName;

    /// <summary>The class name without module.</summary>
    public string ShortName => Instance.Type.Name;

    /// <summary>True when the attribute exists (even if None).</summary>
    public bool Has(string name) => Instance.Attributes.ContainsKey(name);

    /// <summary>The raw attribute value; missing → error.</summary>
    public object? Get(string name) =>
        Instance.Attributes.TryGetValue(name, out var v) ? v : throw Missing(name);

    /// <summary>The attribute, or <paramref name="fallback"/> when absent.</summary>
    public object? GetOr(string name, object? fallback) =>
        Instance.Attributes.TryGetValue(name, out var v) ? v : fallback;

    /// <summary>An ndarray attribute.</summary>
    public NdArray Array(string name) => Get(name) as NdArray ?? throw WrongType(name, "a numpy array");

    /// <summary>An ndarray attribute, or null when None/absent.</summary>
    public NdArray? ArrayOrNull(string name) => GetOr(name, null) switch
    {
        NdArray a => a,
        null => null,
        _ => throw WrongType(name, "a numpy array or None"),
    };

    /// <summary>
    /// A 2-D numeric attribute as a dense float64 array: a numpy array, or a scipy CSR matrix (what an estimator
    /// fitted on sparse data keeps) expanded to dense with zeros where it stores nothing.
    /// </summary>
    public NdArray DenseMatrix(string name) => Get(name) switch
    {
        NdArray a => a,
        PyInstance { Type.Name: "csr_matrix" } csr => CsrMatrix.ToDense(new SkObject(csr), this, name),
        _ => throw WrongType(name, "a numpy array or a scipy CSR matrix"),
    };

    /// <summary>An ndarray attribute that must be present but may be None (null).</summary>
    public NdArray? ArrayOrNone(string name) => Get(name) switch
    {
        NdArray a => a,
        null => null,
        _ => throw WrongType(name, "a numpy array or None"),
    };

    /// <summary>A float attribute (numpy scalars and Python ints accepted).</summary>
    public double Double(string name) => ToDouble(Get(name)) ?? throw WrongType(name, "a number");

    /// <summary>An int attribute.</summary>
    public long Long(string name) => Get(name) switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d when Math.Floor(d) == d => (long)d,
        BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
        _ => throw WrongType(name, "an integer"),
    };

    /// <summary>A bool attribute.</summary>
    public bool Bool(string name) => Get(name) switch
    {
        bool b => b,
        long l => l != 0,
        _ => throw WrongType(name, "a bool"),
    };

    /// <summary>A str attribute.</summary>
    public string String(string name) => Get(name) as string ?? throw WrongType(name, "a string");

    /// <summary>A str attribute or null when None.</summary>
    public string? StringOrNull(string name) => Get(name) switch
    {
        string s => s,
        null => null,
        _ => throw WrongType(name, "a string or None"),
    };

    /// <summary>A list or tuple attribute as items.</summary>
    public IReadOnlyList<object?> List(string name) => Get(name) switch
    {
        PyList l => l,
        PyTuple t => t,
        NdArray { DType.Kind: 'O' } a => a.ToObjects(),
        _ => throw WrongType(name, "a list"),
    };

    /// <summary>A nested scikit-learn object attribute.</summary>
    public SkObject Object(string name) => Get(name) is PyInstance i ? new SkObject(i) : throw WrongType(name, "a scikit-learn object");

    /// <summary>Converts numbers of any pickled form to double.</summary>
    public static double? ToDouble(object? v) => v switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger big => (double)big,
        NdArray { Count: 1 } a when a.DType.Kind is 'f' or 'i' or 'u' or 'b' => a.ToDoubles()[0],
        _ => null,
    };

    /// <summary>The version string the file was written by.</summary>
    public string Version => GetOr("_sklearn_version", null) as string ?? "unknown";

    /// <summary>An error about attribute <paramref name="name"/>.</summary>
    public SklearnModelException Missing(string name) =>
        new($"{ClassName} has no attribute '{name}' (the file was written by scikit-learn {Version}; this runtime reads 1.2.x pickles)");

    /// <summary>An error about the value of attribute <paramref name="name"/>.</summary>
    public SklearnModelException WrongType(string name, string expected) =>
        new($"{ClassName} attribute '{name}' is {PickleReaderDescribe(GetOr(name, null))}, expected {expected} (file written by scikit-learn {Version})");

    /// <summary>An error for a setting this runtime does not implement.</summary>
    public SklearnModelException Unsupported(string what) => new($"{ClassName}: {what} is not supported");

    private static string PickleReaderDescribe(object? v) => v switch
    {
        null => "None",
        PyInstance i => i.Type.FullName,
        NdArray a => $"an array of dtype {a.DType}",
        _ => v.GetType().Name,
    };
}
