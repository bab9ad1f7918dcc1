using Google.Protobuf;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Binary;
using Wire = ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Protocol.Grpc;

/// <summary>
/// Converts an <see cref="InferenceResponse"/> into a gRPC <c>ModelInferResponse</c>. Output choice follows KServe
/// (protocol.md §4.4): raw <c>raw_output_contents</c> when the request used <c>raw_input_contents</c>, otherwise typed
/// <c>contents</c> — except that an FP16/BF16 output (which has no typed field) makes every output raw, so one
/// response never mixes the two forms.
/// </summary>
public static class GrpcResponseConverter
{
    /// <summary>Builds the response message.</summary>
    public static Wire.ModelInferResponse ToGrpc(InferenceResponse response, bool requestUsedRaw)
    {
        var message = new Wire.ModelInferResponse
        {
            ModelName = response.ModelName,
            ModelVersion = response.ModelVersion ?? string.Empty,
            Id = response.Id ?? string.Empty,
        };
        GrpcParameterConverter.ToGrpc(response.Parameters, message.Parameters);
        var raw = requestUsedRaw || HasRawOnlyOutput(response);
        var outputs = response.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            var tensor = outputs[i];
            var output = new Wire.ModelInferResponse.Types.InferOutputTensor
            {
                Name = tensor.Name,
                Datatype = tensor.DataType.ToWireName(),
            };
            output.Shape.Add(tensor.Shape);
            foreach (var (key, value) in tensor.Parameters)
            {
                if (key != InferParameters.Names.BinaryDataSize)
                {
                    output.Parameters[key] = GrpcParameterConverter.ToGrpc(value);
                }
            }

            if (raw)
            {
                message.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(BinaryTensorCodec.ToArray(tensor)));
            }
            else
            {
                output.Contents = ToContents(tensor);
            }

            message.Outputs.Add(output);
        }

        return message;
    }

    private static bool HasRawOnlyOutput(InferenceResponse response)
    {
        var outputs = response.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            if (outputs[i].DataType is TensorDataType.FP16 or TensorDataType.BF16)
            {
                return true;
            }
        }

        return false;
    }

    private static Wire.InferTensorContents ToContents(Tensor tensor)
    {
        var contents = new Wire.InferTensorContents();
        switch (tensor.DataType)
        {
            case TensorDataType.Bool:
                contents.BoolContents.Add((bool[])tensor.Data);
                break;
            case TensorDataType.UInt8:
                foreach (var v in (byte[])tensor.Data)
                {
                    contents.UintContents.Add(v);
                }

                break;
            case TensorDataType.UInt16:
                foreach (var v in (ushort[])tensor.Data)
                {
                    contents.UintContents.Add(v);
                }

                break;
            case TensorDataType.UInt32:
                contents.UintContents.Add((uint[])tensor.Data);
                break;
            case TensorDataType.UInt64:
                contents.Uint64Contents.Add((ulong[])tensor.Data);
                break;
            case TensorDataType.Int8:
                foreach (var v in (sbyte[])tensor.Data)
                {
                    contents.IntContents.Add(v);
                }

                break;
            case TensorDataType.Int16:
                foreach (var v in (short[])tensor.Data)
                {
                    contents.IntContents.Add(v);
                }

                break;
            case TensorDataType.Int32:
                contents.IntContents.Add((int[])tensor.Data);
                break;
            case TensorDataType.Int64:
                contents.Int64Contents.Add((long[])tensor.Data);
                break;
            case TensorDataType.FP32:
                contents.Fp32Contents.Add((float[])tensor.Data);
                break;
            case TensorDataType.FP64:
                contents.Fp64Contents.Add((double[])tensor.Data);
                break;
            case TensorDataType.Bytes:
                foreach (var v in (byte[][])tensor.Data)
                {
                    contents.BytesContents.Add(UnsafeByteOperations.UnsafeWrap(v));
                }

                break;
            default:
                throw new InvalidOperationException($"{tensor.DataType.ToWireName()} has no typed contents field.");
        }

        return contents;
    }
}
