namespace ServeSharp.Runtimes.Sklearn.Pickle;

/// <summary>What an allow-listed global is, and so what the unpickler does when the stream "calls" it.</summary>
public enum GlobalKind
{
    /// <summary>A scikit-learn class: NEWOBJ / REDUCE / copyreg create an inert <see cref="PyInstance"/>.</summary>
    InertClass,
    /// <summary>A Cython or numpy.random helper that rebuilds an object: the call creates an inert <see cref="PyInstance"/>.</summary>
    InertFactory,
    /// <summary><c>numpy.ndarray</c> (only ever an argument of <c>_reconstruct</c> or a subclass marker).</summary>
    NdarrayClass,
    /// <summary><c>numpy.dtype(spec, align, copy)</c>.</summary>
    DType,
    /// <summary><c>numpy.core.multiarray._reconstruct(ndarray, shape, typecode)</c>.</summary>
    Reconstruct,
    /// <summary><c>numpy.core.multiarray.scalar(dtype, bytes)</c>.</summary>
    Scalar,
    /// <summary><c>numpy.core.numeric._frombuffer(buffer, dtype, shape, order)</c> (pickle protocol 5).</summary>
    FromBuffer,
    /// <summary>A numpy scalar type such as <c>numpy.float64</c>: a value; calling it converts its argument.</summary>
    NumpyScalarType,
    /// <summary>A numpy ufunc kept as a value (for FunctionTransformer); never called while unpickling.</summary>
    Ufunc,
    /// <summary><c>joblib.numpy_pickle.NumpyArrayWrapper</c>: its BUILD is followed by the raw array bytes.</summary>
    JoblibArrayWrapper,
    /// <summary><c>_codecs.encode(str, 'latin1')</c>: how protocol 2 stores bytes.</summary>
    CodecsEncode,
    /// <summary><c>copyreg._reconstructor(cls, base, state)</c>.</summary>
    CopyregReconstructor,
    /// <summary><c>copyreg.__newobj__(cls, *args)</c>.</summary>
    CopyregNewObj,
    /// <summary><c>builtins.slice</c>.</summary>
    Slice,
    /// <summary><c>builtins.set</c> / <c>builtins.frozenset</c>.</summary>
    Set,
    /// <summary><c>builtins.bytes</c> / <c>builtins.bytearray</c>.</summary>
    Bytes,
    /// <summary><c>builtins.object</c> (the base argument of copyreg._reconstructor).</summary>
    Object,
    /// <summary><c>collections.OrderedDict</c>.</summary>
    OrderedDict,
}
