using ServeSharp.Abstractions;
using ServeSharp.Protocol.Binary;
using Wire = ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Protocol.Grpc;

/// <summary>
/// Converts a gRPC <c>ModelInferRequest</c> into an <see cref="InferenceRequest"/> (protocol.md §4.4): each input's
/// data comes from its typed <c>contents</c> or from <c>raw_input_contents[i]</c>, never both.
/// </summary>
public static class GrpcRequestConverter
{
    /// <summary>Converts and validates <paramref name="request"/>.</summary>
    /// <exception cref="InferenceException">Bad datatype, shape, counts, or a raw/typed mix-up (KServe's messages).</exception>
    public static InferenceRequest ToInferenceRequest(Wire.ModelInferRequest request, IReadOnlyDictionary<string, string>? headers = null)
    {
        var model = request.ModelName;
        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            throw InferenceException.InvalidInput(
                $"the number of inputs ({request.Inputs.Count}) does not match the expected number of raw input contents ({raw.Count}) for model '{model}'.");
        }

        var inputs = new Tensor[request.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = request.Inputs[i];
            var what = $"input '{input.Name}'";
            if (!TensorDataTypeExtensions.TryParseWireName(input.Datatype, out var dataType))
            {
                throw InferenceException.InvalidInput(
                    $"Input '{input.Name}' has unsupported datatype '{input.Datatype}'. Expected one of BOOL, UINT8, UINT16, " +
                    "UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES, BF16.");
            }

            var shape = input.Shape.Count == 0 ? [] : new long[input.Shape.Count];
            input.Shape.CopyTo(shape, 0);
            var parameters = input.Parameters.Count == 0
                ? new InferParameters()
                : GrpcParameterConverter.FromGrpc(input.Parameters, what);
            if (raw.Count > 0)
            {
                if (input.Contents is not null && HasAnyContents(input.Contents))
                {
                    throw InferenceException.InvalidInput(
                        $"contents field must not be specified when using raw_input_contents for input '{input.Name}' for model '{model}'");
                }

                inputs[i] = BinaryTensorCodec.Read(input.Name, dataType, shape, raw[i].Span, parameters, what);
            }
            else
            {
                inputs[i] = FromContents(input.Name, dataType, shape, Arrays(input.Contents), parameters);
            }
        }

        List<RequestedOutput>? outputs = null;
        if (request.Outputs.Count > 0)
        {
            outputs = new List<RequestedOutput>(request.Outputs.Count);
            foreach (var output in request.Outputs)
            {
                outputs.Add(new RequestedOutput(
                    output.Name,
                    output.Parameters.Count == 0 ? new InferParameters() : GrpcParameterConverter.FromGrpc(output.Parameters, $"output '{output.Name}'")));
            }
        }

        return new InferenceRequest(model, inputs)
        {
            Id = request.Id.Length == 0 ? null : request.Id,
            ModelVersion = request.ModelVersion.Length == 0 ? null : request.ModelVersion,
            Parameters = request.Parameters.Count == 0 ? new InferParameters() : GrpcParameterConverter.FromGrpc(request.Parameters, "the request"),
            Outputs = outputs,
            Protocol = InferenceProtocol.V2Grpc,
            Headers = headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
        };
    }

    /// <summary>
    /// Converts and validates a request read by <see cref="ModelInferMarshallers"/>: the generated message through
    /// <see cref="ToInferenceRequest(Wire.ModelInferRequest, IReadOnlyDictionary{string, string}?)"/>, a directly
    /// decoded one with the same checks and messages (it has no parameters, requested outputs or raw contents).
    /// </summary>
    /// <exception cref="InferenceException">Bad datatype, shape or counts (KServe's messages).</exception>
    public static InferenceRequest ToInferenceRequest(ModelInferCall call, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Message is { } message)
        {
            return ToInferenceRequest(message, headers);
        }

        var inputs = new Tensor[call.Inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = call.Inputs[i];
            if (!TensorDataTypeExtensions.TryParseWireName(input.Datatype, out var dataType))
            {
                throw InferenceException.InvalidInput(
                    $"Input '{input.Name}' has unsupported datatype '{input.Datatype}'. Expected one of BOOL, UINT8, UINT16, " +
                    "UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES, BF16.");
            }

            inputs[i] = FromContents(input.Name, dataType, input.Shape, input.Contents, new InferParameters());
        }

        return new InferenceRequest(call.ModelName, inputs)
        {
            Id = call.Id.Length == 0 ? null : call.Id,
            ModelVersion = call.ModelVersion.Length == 0 ? null : call.ModelVersion,
            Parameters = new InferParameters(),
            Outputs = null,
            Protocol = InferenceProtocol.V2Grpc,
            Headers = headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
        };
    }

    private static bool HasAnyContents(Wire.InferTensorContents c) =>
        c.BoolContents.Count > 0 || c.IntContents.Count > 0 || c.Int64Contents.Count > 0 || c.UintContents.Count > 0 ||
        c.Uint64Contents.Count > 0 || c.Fp32Contents.Count > 0 || c.Fp64Contents.Count > 0 || c.BytesContents.Count > 0;

    /// <summary>
    /// The typed contents of a generated-code message as arrays (null for an empty field), so that both decoders share
    /// <see cref="FromContents"/>. Only requests the direct decoder declines come this way.
    /// </summary>
    private static ModelInferCallContents Arrays(Wire.InferTensorContents? c) => c is null ? ModelInferCallContents.None : new()
    {
        Bool = Copy(c.BoolContents),
        Int = Copy(c.IntContents),
        Int64 = Copy(c.Int64Contents),
        UInt = Copy(c.UintContents),
        UInt64 = Copy(c.Uint64Contents),
        Fp32 = Copy(c.Fp32Contents),
        Fp64 = Copy(c.Fp64Contents),
        Bytes = c.BytesContents.Count == 0 ? null : c.BytesContents.Select(b => b.ToByteArray()).ToArray(),
    };

    private static T[]? Copy<T>(Google.Protobuf.Collections.RepeatedField<T> field)
    {
        if (field.Count == 0)
        {
            return null;
        }

        var array = new T[field.Count];
        field.CopyTo(array, 0);
        return array;
    }

    /// <summary>
    /// An input from its typed contents (the arrays become the tensor's data); the "input '...'" wording of the
    /// messages is only built when there is an error.
    /// </summary>
    private static Tensor FromContents(string name, TensorDataType dataType, long[] shape, ModelInferCallContents contents, InferParameters parameters)
    {
        if (!BinaryTensorCodec.TryElementCountUnbounded(shape, out var count))
        {
            BinaryTensorCodec.ElementCountUnbounded(shape, What(name));
        }

        Array data = dataType switch
        {
            TensorDataType.Bool => Take(contents.Bool, count, name, "bool_contents"),
            TensorDataType.UInt8 => Narrow(contents.UInt, count, name, "uint_contents", dataType, static v => v <= byte.MaxValue, static v => (byte)v),
            TensorDataType.UInt16 => Narrow(contents.UInt, count, name, "uint_contents", dataType, static v => v <= ushort.MaxValue, static v => (ushort)v),
            TensorDataType.UInt32 => Take(contents.UInt, count, name, "uint_contents"),
            TensorDataType.UInt64 => Take(contents.UInt64, count, name, "uint64_contents"),
            TensorDataType.Int8 => Narrow(contents.Int, count, name, "int_contents", dataType, static v => v is >= sbyte.MinValue and <= sbyte.MaxValue, static v => (sbyte)v),
            TensorDataType.Int16 => Narrow(contents.Int, count, name, "int_contents", dataType, static v => v is >= short.MinValue and <= short.MaxValue, static v => (short)v),
            TensorDataType.Int32 => Take(contents.Int, count, name, "int_contents"),
            TensorDataType.Int64 => Take(contents.Int64, count, name, "int64_contents"),
            TensorDataType.FP32 => Take(contents.Fp32, count, name, "fp32_contents"),
            TensorDataType.FP64 => Take(contents.Fp64, count, name, "fp64_contents"),
            TensorDataType.Bytes => Take(contents.Bytes, count, name, "bytes_contents"),
            // FP16 and BF16 have no typed contents field: without raw contents only an empty tensor can be sent.
            TensorDataType.FP16 when count == 0 => Array.Empty<Half>(),
            TensorDataType.BF16 when count == 0 => Array.Empty<ushort>(),
            _ => throw InferenceException.InvalidInput(
                    $"{dataType.ToWireName()} data has no typed contents field; send {What(name)} in raw_input_contents."),
        };
        return new Tensor(name, dataType, shape, data, parameters);
    }

    private static string What(string name) => $"input '{name}'";

    private static T[] Take<T>(T[]? values, long count, string name, string fieldName)
    {
        values ??= [];
        if (values.Length != count)
        {
            CheckCount(values.Length, count, What(name), fieldName);
        }

        return values;
    }

    private static TOut[] Narrow<TIn, TOut>(
        TIn[]? values, long count, string name, string fieldName, TensorDataType dataType, Func<TIn, bool> fits, Func<TIn, TOut> convert)
    {
        values ??= [];
        if (values.Length != count)
        {
            CheckCount(values.Length, count, What(name), fieldName);
        }

        var result = new TOut[values.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var value = values[i];
            if (!fits(value))
            {
                throw InferenceException.InvalidInput(
                    $"Element {i} of {What(name)} is {value}, which does not fit datatype {dataType.ToWireName()}.");
            }

            result[i] = convert(value);
        }

        return result;
    }

    private static void CheckCount(int actual, long expected, string what, string fieldName)
    {
        if (actual != expected)
        {
            throw InferenceException.InvalidInput(
                $"{what} needs {expected} elements for its shape but {fieldName} holds {actual}.");
        }
    }
}
