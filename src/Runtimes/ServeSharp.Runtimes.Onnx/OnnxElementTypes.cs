using ServeSharp.Abstractions;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>Maps ONNX tensor element types to Open Inference Protocol datatypes and back.</summary>
internal static class OnnxElementTypes
{
    /// <summary>The V2 datatype of an ONNX element type; false for types V2 cannot carry (complex, float8, int4...).</summary>
    public static bool TryToDataType(TensorElementType elementType, out TensorDataType dataType)
    {
        (var known, dataType) = elementType switch
        {
            TensorElementType.Bool => (true, TensorDataType.Bool),
            TensorElementType.UInt8 => (true, TensorDataType.UInt8),
            TensorElementType.UInt16 => (true, TensorDataType.UInt16),
            TensorElementType.UInt32 => (true, TensorDataType.UInt32),
            TensorElementType.UInt64 => (true, TensorDataType.UInt64),
            TensorElementType.Int8 => (true, TensorDataType.Int8),
            TensorElementType.Int16 => (true, TensorDataType.Int16),
            TensorElementType.Int32 => (true, TensorDataType.Int32),
            TensorElementType.Int64 => (true, TensorDataType.Int64),
            TensorElementType.Float16 => (true, TensorDataType.FP16),
            TensorElementType.Float => (true, TensorDataType.FP32),
            TensorElementType.Double => (true, TensorDataType.FP64),
            TensorElementType.String => (true, TensorDataType.Bytes),
            TensorElementType.BFloat16 => (true, TensorDataType.BF16),
            _ => (false, default(TensorDataType)),
        };
        return known;
    }

    /// <summary>The ONNX element type that holds a V2 datatype (every V2 datatype has one).</summary>
    public static TensorElementType ToElementType(TensorDataType dataType) => dataType switch
    {
        TensorDataType.Bool => TensorElementType.Bool,
        TensorDataType.UInt8 => TensorElementType.UInt8,
        TensorDataType.UInt16 => TensorElementType.UInt16,
        TensorDataType.UInt32 => TensorElementType.UInt32,
        TensorDataType.UInt64 => TensorElementType.UInt64,
        TensorDataType.Int8 => TensorElementType.Int8,
        TensorDataType.Int16 => TensorElementType.Int16,
        TensorDataType.Int32 => TensorElementType.Int32,
        TensorDataType.Int64 => TensorElementType.Int64,
        TensorDataType.FP16 => TensorElementType.Float16,
        TensorDataType.FP32 => TensorElementType.Float,
        TensorDataType.FP64 => TensorElementType.Double,
        TensorDataType.Bytes => TensorElementType.String,
        TensorDataType.BF16 => TensorElementType.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(dataType), dataType, "Unknown datatype."),
    };
}
