using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// A buffer on the pinned object heap wrapped in an <see cref="OrtValue"/> of one element type and shape, kept from
/// run to run. A run with the same type and shape reuses both; another shape re-creates the value over the same
/// buffer when it is large enough.
/// </summary>
internal sealed class OnnxPinnedValue : IDisposable
{
    private byte[] _buffer = [];
    private long[] _shape = [];
    private TensorElementType _type;
    private int _length;

    /// <summary>The tensor over the buffer; null until the first <see cref="Reshape"/>.</summary>
    public OrtValue? Value { get; private set; }

    /// <summary>The tensor's bytes.</summary>
    public Span<byte> Bytes => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Makes <see cref="Value"/> a <paramref name="type"/> tensor of <paramref name="shape"/> over
    /// <paramref name="byteLength"/> (&gt; 0) bytes. True when <see cref="Value"/> is a new value, which must then be
    /// bound again.
    /// </summary>
    public bool Reshape(TensorElementType type, long[] shape, int byteLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(byteLength);
        if (Value is not null && type == _type && byteLength == _length && shape.AsSpan().SequenceEqual(_shape))
        {
            return false;
        }

        Value?.Dispose();
        Value = null;
        if (_buffer.Length < byteLength)
        {
            _buffer = GC.AllocateUninitializedArray<byte>(byteLength, pinned: true);
        }

        Value = OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance, type, shape, Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, 0), byteLength);
        _type = type;
        _shape = (long[])shape.Clone();
        _length = byteLength;
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Value?.Dispose();
        Value = null;
    }
}
