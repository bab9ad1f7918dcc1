using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// What one thread keeps between runs of one model: an <see cref="OrtIoBinding"/> with every graph input and output
/// bound to a pinned buffer of its own (<see cref="OnnxPinnedValue"/>). A run copies the request into the input
/// buffers, runs the binding and copies the outputs out, so a stream of same-shaped requests creates no ONNX
/// Runtime values at all. Used by one run at a time (lent by a <see cref="BoundedPool{T}"/>).
/// </summary>
internal sealed class OnnxRunSlot : IDisposable
{
    private readonly OrtIoBinding _binding;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OnnxPinnedValue[] _inputs;
    private readonly OnnxPinnedValue[] _outputs;

    public OnnxRunSlot(InferenceSession session, string[] inputNames, string[] outputNames)
    {
        _binding = session.CreateIoBinding();
        _inputNames = inputNames;
        _outputNames = outputNames;
        _inputs = Create(inputNames.Length);
        _outputs = Create(outputNames.Length);
    }

    /// <summary>Input <paramref name="index"/>'s buffer, shaped and bound for this run: write the input into it.</summary>
    public Span<byte> Input(int index, TensorElementType type, long[] shape, int byteLength)
    {
        var input = _inputs[index];
        if (input.Reshape(type, shape, byteLength))
        {
            Rebind(input, () => _binding.BindInput(_inputNames[index], input.Value!));
        }

        return input.Bytes;
    }

    /// <summary>Binds output <paramref name="index"/> to a buffer of its expected shape.</summary>
    public void ExpectOutput(int index, TensorElementType type, long[] shape, int byteLength)
    {
        var output = _outputs[index];
        if (output.Reshape(type, shape, byteLength))
        {
            Rebind(output, () => _binding.BindOutput(_outputNames[index], output.Value!));
        }
    }

    /// <summary>Output <paramref name="index"/>'s bytes as the last run wrote them.</summary>
    public ReadOnlySpan<byte> Output(int index) => _outputs[index].Bytes;

    /// <summary>Runs <paramref name="session"/> on the bound inputs and outputs.</summary>
    public void Run(InferenceSession session, RunOptions options) => session.RunWithBinding(options, _binding);

    /// <inheritdoc />
    public void Dispose()
    {
        _binding.Dispose();
        foreach (var value in _inputs)
        {
            value.Dispose();
        }

        foreach (var value in _outputs)
        {
            value.Dispose();
        }
    }

    // A value that could not be bound is dropped, so the next run re-creates and binds it instead of running with
    // the binding still pointing at the buffer the value had before.
    private static void Rebind(OnnxPinnedValue value, Action bind)
    {
        try
        {
            bind();
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    private static OnnxPinnedValue[] Create(int count)
    {
        var values = new OnnxPinnedValue[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = new OnnxPinnedValue();
        }

        return values;
    }
}
