using Google.Protobuf.Collections;
using ServeSharp.Abstractions;
using Wire = ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Protocol.Grpc;

/// <summary>Converts between gRPC <c>InferParameter</c> maps (fields 1–5) and <see cref="InferParameters"/>.</summary>
public static class GrpcParameterConverter
{
    /// <summary>Reads a gRPC parameter map; an unset oneof is a 400 naming the key.</summary>
    public static InferParameters FromGrpc(MapField<string, Wire.InferParameter> source, string what)
    {
        var result = new InferParameters();
        foreach (var (key, value) in source)
        {
            result[key] = value.ParameterChoiceCase switch
            {
                Wire.InferParameter.ParameterChoiceOneofCase.BoolParam => InferParameter.FromBool(value.BoolParam),
                Wire.InferParameter.ParameterChoiceOneofCase.Int64Param => InferParameter.FromInt64(value.Int64Param),
                Wire.InferParameter.ParameterChoiceOneofCase.StringParam => InferParameter.FromString(value.StringParam),
                Wire.InferParameter.ParameterChoiceOneofCase.DoubleParam => InferParameter.FromDouble(value.DoubleParam),
                Wire.InferParameter.ParameterChoiceOneofCase.Uint64Param => InferParameter.FromUInt64(value.Uint64Param),
                _ => throw InferenceException.InvalidInput($"Parameter '{key}' of {what} has no value."),
            };
        }

        return result;
    }

    /// <summary>Writes <paramref name="source"/> into a gRPC parameter map.</summary>
    public static void ToGrpc(InferParameters source, MapField<string, Wire.InferParameter> target)
    {
        foreach (var (key, value) in source)
        {
            target[key] = ToGrpc(value);
        }
    }

    /// <summary>One parameter value in gRPC form.</summary>
    public static Wire.InferParameter ToGrpc(InferParameter value) => value.Kind switch
    {
        InferParameterKind.Bool => new Wire.InferParameter { BoolParam = value.BoolValue },
        InferParameterKind.Int64 => new Wire.InferParameter { Int64Param = value.Int64Value },
        InferParameterKind.UInt64 => new Wire.InferParameter { Uint64Param = value.UInt64Value },
        InferParameterKind.Double => new Wire.InferParameter { DoubleParam = value.DoubleValue },
        _ => new Wire.InferParameter { StringParam = value.StringValue },
    };
}
