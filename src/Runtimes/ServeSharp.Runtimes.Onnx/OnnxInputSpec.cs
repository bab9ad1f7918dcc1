using ServeSharp.Abstractions;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>One graph input as read from the session: name, datatype and declared dimensions (-1 = any).</summary>
internal sealed class OnnxInputSpec
{
    public OnnxInputSpec(string name, TensorDataType dataType, long[] dimensions, string[]? symbols = null)
    {
        Name = name;
        Symbols = symbols ?? [];
        DataType = dataType;
        ElementType = OnnxElementTypes.ToElementType(dataType);
        Dimensions = dimensions;
        IsStatic = Array.TrueForAll(dimensions, d => d >= 0);
        StaticElementCount = IsStatic ? Tensor.GetElementCount(dimensions) : -1;
    }

    public string Name { get; }

    public TensorDataType DataType { get; }

    public TensorElementType ElementType { get; }

    /// <summary>Declared dimensions; empty when the graph declares a scalar or gives no shape.</summary>
    public long[] Dimensions { get; }

    /// <summary>The graph's names for the dimensions (empty where a dimension has none), e.g. <c>["N", ""]</c>.</summary>
    public string[] Symbols { get; }

    public bool IsStatic { get; }

    public long StaticElementCount { get; }

    /// <summary>
    /// The shape to hand to ONNX Runtime for <paramref name="shape"/>: the request's own when it fits the declared
    /// dimensions; the declared shape when the ranks differ, the model's shape is fully fixed and the element count
    /// matches (so a flat <c>[6]</c> feeds a <c>[2,3]</c> input); otherwise null.
    /// Same-rank shapes are never reinterpreted: <c>[3,2]</c> for a <c>[2,3]</c> input is a mistake, not a reshape.
    /// </summary>
    public long[]? Fit(long[] shape, long elementCount)
    {
        if (Dimensions.Length == 0)
        {
            // A scalar input or one without shape information (ONNX Runtime reports both alike): pass the request's
            // shape through and let ONNX Runtime report a real mismatch, which surfaces as a 400.
            return shape;
        }

        if (shape.Length == Dimensions.Length)
        {
            for (var i = 0; i < shape.Length; i++)
            {
                if (Dimensions[i] >= 0 && Dimensions[i] != shape[i])
                {
                    return null;
                }
            }

            return shape;
        }

        return IsStatic && elementCount == StaticElementCount ? Dimensions : null;
    }

    /// <summary>The shape to hand to ONNX Runtime for <paramref name="source"/> (see <see cref="Fit"/>).</summary>
    /// <exception cref="InferenceException">The tensor does not fit the input.</exception>
    public long[] Fit(Tensor source, string modelName) =>
        Fit(source.Shape, source.ElementCount) ?? throw InferenceException.InvalidInput(
            $"Input '{source.Name}' has shape [{string.Join(',', source.Shape)}] ({source.ElementCount} values) but model " +
            $"'{modelName}' expects input '{Name}' with shape {DescribeShape()} (-1 = any size).");

    /// <summary>The declared shape for messages, e.g. <c>[-1,4]</c>.</summary>
    public string DescribeShape() => "[" + string.Join(',', Dimensions) + "]";
}
