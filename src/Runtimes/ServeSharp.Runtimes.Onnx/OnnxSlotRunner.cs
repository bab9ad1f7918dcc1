using Microsoft.ML.OnnxRuntime;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// Runs a model's small requests in <see cref="OnnxRunSlot"/>s: for graphs of numeric inputs whose outputs all have a
/// shape known before the run (<see cref="CanRun"/>), every input and output is bound once to a buffer of its own.
/// </summary>
internal sealed class OnnxSlotRunner : IDisposable
{
    /// <summary>
    /// Requests whose inputs (and outputs) take at most this many bytes run in a slot; larger ones bind their own
    /// arrays, which saves copying them. It also bounds what a model keeps pinned: at most twice this per slot, two
    /// slots per core.
    /// </summary>
    public const int MaxBytes = 64 * 1024;

    private readonly string _modelName;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OnnxInputSpec[] _inputs;
    private readonly OnnxOutputSpec[] _outputs;

    public OnnxSlotRunner(
        string modelName, InferenceSession session, RunOptions runOptions, OnnxInputSpec[] inputs, string[] inputNames,
        OnnxOutputSpec[] outputs, string[] outputNames)
    {
        _modelName = modelName;
        _session = session;
        _runOptions = runOptions;
        _inputs = inputs;
        _outputs = outputs;
        // Runs are synchronous, so rarely more are in flight than twice the cores (a thread preempted mid-run); a run
        // that finds no free slot makes one, which is disposed on return when the pool is full.
        Slots = new BoundedPool<OnnxRunSlot>(() => new OnnxRunSlot(session, inputNames, outputNames), 2 * Environment.ProcessorCount);
    }

    /// <summary>The slots lent to runs.</summary>
    public BoundedPool<OnnxRunSlot> Slots { get; }

    /// <summary>Whether a graph with these inputs and outputs can run in slots.</summary>
    public static bool CanRun(OnnxInputSpec[] inputs, OnnxOutputSpec[] outputs) =>
        inputs.Length > 0 && outputs.Length > 0 &&
        Array.TrueForAll(inputs, i => i.DataType != TensorDataType.Bytes) && Array.TrueForAll(outputs, o => o.Shape is not null);

    /// <summary>
    /// Runs a small request (inputs by graph input index) in a slot: the inputs are copied (or converted) into the
    /// slot's bound buffers and the outputs copied out of them. Null when the request is not for a slot (too large, a
    /// zero-size tensor, an output shape that cannot be told before the run) or the run failed: the caller's ordinary
    /// run then answers, or reports the error.
    /// </summary>
    /// <exception cref="InferenceException">An input does not fit its graph input.</exception>
    public Tensor[]? TryRun(Tensor[] inputs)
    {
        var shapes = new long[]?[inputs.Length];
        var inputBytes = new int[inputs.Length];
        long total = 0;
        for (var i = 0; i < inputs.Length; i++)
        {
            shapes[i] = _inputs[i].Fit(inputs[i], _modelName);
            var bytes = inputs[i].ElementCount * _inputs[i].DataType.ElementSize();
            total += bytes;
            if (bytes == 0 || total > MaxBytes)
            {
                return null;
            }

            inputBytes[i] = (int)bytes;
        }

        var outputShapes = new long[_outputs.Length][];
        var outputCounts = new long[_outputs.Length];
        total = 0;
        for (var o = 0; o < _outputs.Length; o++)
        {
            var shape = _outputs[o].Shape!.Resolve(shapes);
            var count = shape is null ? 0 : Tensor.GetElementCount(shape);
            total += count * _outputs[o].DataType.ElementSize();
            if (shape is null || count <= 0 || total > MaxBytes)
            {
                return null;
            }

            outputShapes[o] = shape;
            outputCounts[o] = count;
        }

        var slot = Slots.Rent();
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                var spec = _inputs[i];
                var buffer = slot.Input(i, spec.ElementType, shapes[i]!, inputBytes[i]);
                if (inputs[i].DataType == spec.DataType)
                {
                    TensorArrays.Bytes(inputs[i]).CopyTo(buffer);
                }
                else
                {
                    NumericCoercion.ConvertInto(inputs[i], spec.DataType, buffer, _modelName);
                }
            }

            for (var o = 0; o < _outputs.Length; o++)
            {
                var dataType = _outputs[o].DataType;
                slot.ExpectOutput(o, OnnxElementTypes.ToElementType(dataType), outputShapes[o], (int)(outputCounts[o] * dataType.ElementSize()));
            }

            try
            {
                slot.Run(_session, _runOptions);
            }
            catch (OnnxRuntimeException)
            {
                return null;
            }

            var tensors = new Tensor[_outputs.Length];
            for (var o = 0; o < tensors.Length; o++)
            {
                var dataType = _outputs[o].DataType;
                var data = TensorArrays.Allocate(dataType, outputCounts[o])!;
                slot.Output(o).CopyTo(TensorArrays.Bytes(data, dataType));
                tensors[o] = new Tensor(_outputs[o].Name, dataType, outputShapes[o], data);
            }

            return tensors;
        }
        finally
        {
            Slots.Return(slot);
        }
    }

    /// <summary>Disposes the kept slots; call when no run is in flight.</summary>
    public void Dispose() => Slots.Dispose();
}
