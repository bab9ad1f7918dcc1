using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// One request tensor bound to a graph input as an <see cref="OrtValue"/> over pinned managed memory: the request's
/// own array when its datatype already matches (no copy), or a pooled converted copy. Dispose after the run.
/// </summary>
internal struct OnnxInputBinding : IDisposable
{
    private GCHandle _pin;
    private Array? _rented;
    private TensorDataType _rentedType;

    /// <summary>The value to pass to the session.</summary>
    public OrtValue? Value { get; private set; }

    /// <summary>The shape handed to ONNX Runtime (see <see cref="OnnxInputSpec.Fit"/>).</summary>
    public long[]? Shape { get; private set; }

    /// <summary>Binds <paramref name="source"/> to <paramref name="spec"/>, validating datatype and shape.</summary>
    /// <exception cref="InferenceException">The tensor does not fit the input.</exception>
    public static OnnxInputBinding Bind(Tensor source, OnnxInputSpec spec, string modelName)
    {
        var shape = spec.Fit(source, modelName);

        var binding = default(OnnxInputBinding);
        binding.Shape = shape;
        try
        {
            if (spec.DataType == TensorDataType.Bytes)
            {
                binding.Value = CreateStrings(source, shape, spec, modelName);
                return binding;
            }

            var data = source.Data;
            if (source.DataType != spec.DataType)
            {
                data = NumericCoercion.Convert(source, spec.DataType, modelName);
                binding._rented = data;
                binding._rentedType = spec.DataType;
            }

            binding._pin = GCHandle.Alloc(data, GCHandleType.Pinned);
            binding.Value = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance,
                spec.ElementType,
                shape,
                binding._pin.AddrOfPinnedObject(),
                source.ElementCount * spec.DataType.ElementSize());
            return binding;
        }
        catch
        {
            binding.Dispose();
            throw;
        }
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

        if (_rented is not null)
        {
            PooledArrays.Return(_rentedType, _rented);
            _rented = null;
        }
    }

    private static OrtValue CreateStrings(Tensor source, long[] shape, OnnxInputSpec spec, string modelName)
    {
        if (source.DataType != TensorDataType.Bytes)
        {
            throw InferenceException.InvalidInput(
                $"Input '{source.Name}' of model '{modelName}' must be BYTES (the model's input '{spec.Name}' " +
                $"holds strings), not {source.DataType.ToWireName()}.");
        }

        var elements = (byte[][])source.Data;
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        try
        {
            for (var i = 0; i < elements.Length; i++)
            {
                value.StringTensorSetElementAt(elements[i], i);
            }
        }
        catch
        {
            value.Dispose();
            throw;
        }

        return value;
    }
}
