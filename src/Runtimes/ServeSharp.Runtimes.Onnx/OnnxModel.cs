using System.Text;
using Microsoft.ML.OnnxRuntime;
using ServeSharp.Abstractions;
using ModelMetadata = ServeSharp.Abstractions.ModelMetadata;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// A loaded ONNX graph. V2 requests bind inputs by name; a V1 request's single input (<c>input-0</c>) feeds the
/// graph's first input. Numeric inputs are converted to the element type the graph declares (V1 JSON arrives as
/// FP64/INT64, see <see cref="NumericCoercion"/>). Only the requested outputs are computed. Thread-safe:
/// ONNX Runtime sessions accept concurrent runs.
/// </summary>
internal sealed class OnnxModel : IModel
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OnnxInputSpec[] _inputs;
    private readonly string[] _inputNames;
    private readonly OnnxOutputSpec[] _outputs;
    private readonly string[] _outputNames;
    private readonly string _inputList;
    private readonly OnnxSlotRunner? _slotRunner;
    private volatile bool _disposed;

    // Cleared the first time a graph's output turns out not to have its declared shape (OnnxOutputShape).
    private volatile bool _preallocate = true;

    public OnnxModel(string name, string filePath, InferenceSession session, OnnxInputSpec[] inputs, OnnxOutputSpec[] outputs, ModelMetadata metadata)
    {
        Name = name;
        FilePath = filePath;
        _session = session;
        _runOptions = new RunOptions();
        _inputs = inputs;
        _inputNames = Array.ConvertAll(inputs, i => i.Name);
        _outputs = outputs;
        _outputNames = Array.ConvertAll(outputs, o => o.Name);
        _inputList = string.Join(", ", inputs.Select(i => $"'{i.Name}' ({i.DataType.ToWireName()} {i.DescribeShape()})"));
        Metadata = metadata;

        if (OnnxSlotRunner.CanRun(inputs, outputs))
        {
            _slotRunner = new OnnxSlotRunner(name, session, _runOptions, inputs, _inputNames, outputs, _outputNames);
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The .onnx file the model was loaded from.</summary>
    public string FilePath { get; }

    /// <inheritdoc />
    public ModelMetadata Metadata { get; }

    /// <summary>The slots small requests run in (see <see cref="OnnxSlotRunner"/>); null when the graph cannot use them.</summary>
    internal BoundedPool<OnnxRunSlot>? Slots => _slotRunner?.Slots;

    /// <summary>
    /// Whether runs write outputs into buffers of the shapes the graph declares (a slot's, or straight into the
    /// response's arrays for requests too large for a slot): on until a graph breaks its declaration; tests turn
    /// it off to compare with the copying path.
    /// </summary>
    internal bool WritesOutputsInPlace
    {
        get => _preallocate;
        set => _preallocate = value;
    }

    /// <inheritdoc />
    public ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (_disposed)
        {
            throw InferenceException.ModelNotReady(Name, "The model is unloading.");
        }

        var selected = SelectOutputs(request.Outputs);
        var inputs = MatchInputs(request);
        var tensors = (selected is null && _preallocate ? TryRunInSlot(inputs) : null) ?? RunBound(inputs, selected);
        return ValueTask.FromResult(new InferenceResponse(Name, tensors) { Id = request.Id });
    }

    private Tensor[]? TryRunInSlot(Tensor[] inputs)
    {
        try
        {
            return _slotRunner?.TryRun(inputs);
        }
        catch (ObjectDisposedException) when (_disposed)
        {
            throw InferenceException.ModelNotReady(Name, "The model is unloading.");
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _slotRunner?.Dispose();
            _session.Dispose();
            _runOptions.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The request's tensors by graph input index.</summary>
    private Tensor[] MatchInputs(InferenceRequest request)
    {
        var matched = new Tensor[_inputs.Length];
        var inputs = request.Inputs;

        // V1 has no input names: its single input feeds the graph's first input, whatever the codec called it.
        if (request.Protocol == InferenceProtocol.V1 && inputs.Count == 1 && IndexOfInput(inputs[0].Name) < 0 && _inputs.Length > 0)
        {
            matched[0] = inputs[0];
        }
        else
        {
            for (var n = 0; n < inputs.Count; n++)
            {
                var input = inputs[n];
                var index = IndexOfInput(input.Name);
                if (index < 0)
                {
                    throw InferenceException.InvalidInput(
                        $"Model '{Name}' has no input named '{input.Name}'. Its inputs are: {_inputList}.");
                }

                if (matched[index] is not null)
                {
                    throw InferenceException.InvalidInput($"Input '{input.Name}' appears more than once in the request.");
                }

                matched[index] = input;
            }
        }

        for (var i = 0; i < matched.Length; i++)
        {
            if (matched[i] is null)
            {
                throw InferenceException.InvalidInput(MissingInputMessage(_inputs[i], request.Protocol));
            }
        }

        return matched;
    }

    /// <summary>Runs with each input bound to the request's own array (or a converted copy).</summary>
    private Tensor[] RunBound(Tensor[] inputs, OnnxOutputSpec[]? selected)
    {
        var bindings = new OnnxInputBinding[_inputs.Length];
        try
        {
            var values = new OrtValue[_inputs.Length];
            var shapes = new long[]?[_inputs.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                bindings[i] = OnnxInputBinding.Bind(inputs[i], _inputs[i], Name);
                values[i] = bindings[i].Value!;
                shapes[i] = bindings[i].Shape;
            }

            var outputNames = selected is null ? _outputNames : Array.ConvertAll(selected, o => o.Name);
            var specs = selected ?? _outputs;
            return (_preallocate ? TryRunIntoOutputs(values, shapes, specs, outputNames) : null)
                ?? RunAndCopyOutputs(values, specs, outputNames);
        }
        finally
        {
            for (var i = 0; i < bindings.Length; i++)
            {
                bindings[i].Dispose();
            }
        }
    }

    private string MissingInputMessage(OnnxInputSpec missing, InferenceProtocol protocol)
    {
        var message = new StringBuilder()
            .Append($"Input '{missing.Name}' ({missing.DataType.ToWireName()} {missing.DescribeShape()}) of model '{Name}' ")
            .Append($"is missing from the request. The model needs {_inputs.Length} input(s): {_inputList}.");
        if (protocol == InferenceProtocol.V1)
        {
            message.Append(" A V1 request carries a single input; send several inputs with the V2 protocol.");
        }

        return message.ToString();
    }

    private int IndexOfInput(string name)
    {
        for (var i = 0; i < _inputNames.Length; i++)
        {
            if (string.Equals(_inputNames[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The outputs to compute: null for all of them, else the requested ones in order without repeats.</summary>
    private OnnxOutputSpec[]? SelectOutputs(IReadOnlyList<RequestedOutput>? requested)
    {
        if (requested is null || requested.Count == 0)
        {
            return null;
        }

        var selected = new List<OnnxOutputSpec>(requested.Count);
        foreach (var output in requested)
        {
            var spec = Array.Find(_outputs, o => string.Equals(o.Name, output.Name, StringComparison.Ordinal))
                ?? throw InferenceException.InvalidInput(
                    $"Unexpected inference output '{output.Name}' for model '{Name}'. " +
                    $"Its outputs are: {string.Join(", ", _outputNames.Select(n => $"'{n}'"))}.");
            if (!selected.Contains(spec))
            {
                selected.Add(spec);
            }
        }

        return selected.Count == _outputs.Length && selected.SequenceEqual(_outputs) ? null : [.. selected];
    }

    /// <summary>
    /// Runs with every output written by ONNX Runtime straight into the array the response tensor keeps, when the
    /// graph declares every output's shape in terms of the inputs' (<see cref="OnnxOutputShape"/>). Null when it
    /// cannot (no plan, or a zero-size output): the caller then runs the ordinary way. When the run fails, the
    /// ordinary run answers instead, or reports the error as always; a graph whose output breaks its declared shape
    /// thereby turns this off for the model.
    /// </summary>
    private Tensor[]? TryRunIntoOutputs(OrtValue[] values, long[]?[] inputShapes, OnnxOutputSpec[] specs, string[] outputNames)
    {
        var outputs = new OnnxOutputBuffer[specs.Length];
        try
        {
            var outputValues = new OrtValue[specs.Length];
            for (var i = 0; i < specs.Length; i++)
            {
                var shape = specs[i].Shape?.Resolve(inputShapes);
                if (shape is null || !OnnxOutputBuffer.TryCreate(specs[i].DataType, shape, out outputs[i]))
                {
                    return null;
                }

                outputValues[i] = outputs[i].Value!;
            }

            try
            {
                _session.Run(_runOptions, _inputNames, values, outputNames, outputValues);
            }
            catch (OnnxRuntimeException)
            {
                // Whatever went wrong, the ordinary run answers (or reports it); if that succeeds the declared
                // shapes were wrong, and this model stops trying.
                var answer = RunAndCopyOutputs(values, specs, outputNames);
                _preallocate = false;
                return answer;
            }
            catch (ObjectDisposedException) when (_disposed)
            {
                throw InferenceException.ModelNotReady(Name, "The model is unloading.");
            }

            var tensors = new Tensor[specs.Length];
            for (var i = 0; i < tensors.Length; i++)
            {
                tensors[i] = new Tensor(specs[i].Name, specs[i].DataType, outputs[i].Shape, outputs[i].Data);
            }

            return tensors;
        }
        finally
        {
            for (var i = 0; i < outputs.Length; i++)
            {
                outputs[i].Dispose();
            }
        }
    }

    private Tensor[] RunAndCopyOutputs(OrtValue[] values, OnnxOutputSpec[] specs, string[] outputNames)
    {
        using var results = Run(values, outputNames);
        var tensors = new Tensor[specs.Length];
        for (var i = 0; i < tensors.Length; i++)
        {
            tensors[i] = OnnxOutputReader.Read(specs[i].Name, specs[i].DataType, results[i]);
        }

        return tensors;
    }

    private IDisposableReadOnlyCollection<OrtValue> Run(OrtValue[] values, string[] outputNames)
    {
        try
        {
            return _session.Run(_runOptions, _inputNames, values, outputNames);
        }
        catch (OnnxRuntimeException ex) when (ex.Message.StartsWith("[ErrorCode:InvalidArgument]", StringComparison.Ordinal))
        {
            throw new InferenceException(
                InferenceErrorKind.InvalidInput, $"Model '{Name}' rejected the inputs: {OnnxErrors.Describe(ex)}", ex);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InferenceException(
                InferenceErrorKind.InferenceFailed, $"Model '{Name}' failed: {OnnxErrors.Describe(ex)}", ex);
        }
        catch (ObjectDisposedException) when (_disposed)
        {
            throw InferenceException.ModelNotReady(Name, "The model is unloading.");
        }
    }
}
