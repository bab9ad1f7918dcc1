using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// A new managed array for one output, pinned and wrapped in an <see cref="OrtValue"/> for ONNX Runtime to write
/// the output into; after the run the array is the response tensor's data (no copy). Dispose after the run.
/// </summary>
internal struct OnnxOutputBuffer : IDisposable
{
    private GCHandle _pin;

    /// <summary>The output's shape.</summary>
    public long[] Shape { get; private set; }

    /// <summary>The array ONNX Runtime writes into.</summary>
    public Array Data { get; private set; }

    /// <summary>The value to pass to the session as the output.</summary>
    public OrtValue? Value { get; private set; }

    /// <summary>Creates the buffer; false (nothing to dispose) for strings, a zero-size or an oversized output.</summary>
    public static bool TryCreate(TensorDataType dataType, long[] shape, out OnnxOutputBuffer buffer)
    {
        buffer = default;
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim <= 0 || count > Array.MaxLength / dim)
            {
                return false;
            }

            count *= dim;
        }

        var data = TensorArrays.Allocate(dataType, count);
        if (data is null)
        {
            return false;
        }

        buffer.Shape = shape;
        buffer.Data = data;
        buffer._pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        try
        {
            buffer.Value = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance,
                OnnxElementTypes.ToElementType(dataType),
                shape,
                buffer._pin.AddrOfPinnedObject(),
                count * dataType.ElementSize());
        }
        catch
        {
            buffer.Dispose();
            throw;
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Value?.Dispose();
        Value = null;
        if (_pin.IsAllocated)
        {
            _pin.Free();
        }
    }
}
