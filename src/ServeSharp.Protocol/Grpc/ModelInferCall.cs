using Wire = ServeSharp.Protocol.Grpc.Generated;

namespace ServeSharp.Protocol.Grpc;

/// <summary>
/// A <c>ModelInfer</c> request as the gRPC marshaller (<see cref="ModelInferMarshallers"/>) read it: either decoded
/// straight from the wire bytes by <see cref="ModelInferCallDecoder"/> (the common shape: model name, id, version and
/// inputs with typed contents) or, for anything else, the generated <see cref="Wire.ModelInferRequest"/>.
/// </summary>
public sealed class ModelInferCall
{
    internal ModelInferCall(Wire.ModelInferRequest message)
    {
        Message = message;
        ModelName = message.ModelName;
        ModelVersion = message.ModelVersion;
        Id = message.Id;
        Inputs = [];
    }

    internal ModelInferCall(string modelName, string modelVersion, string id, ModelInferCallInput[] inputs)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        Id = id;
        Inputs = inputs;
    }

    /// <summary>The generated message, when the request was not decoded directly; null otherwise.</summary>
    public Wire.ModelInferRequest? Message { get; }

    /// <summary>The request's <c>model_name</c>.</summary>
    public string ModelName { get; }

    internal string ModelVersion { get; }

    internal string Id { get; }

    internal ModelInferCallInput[] Inputs { get; }

    /// <summary>Whether the request carried <c>raw_input_contents</c> (never, when decoded directly).</summary>
    public bool UsedRawContents => Message is { RawInputContents.Count: > 0 };
}

/// <summary>One input of a directly decoded <see cref="ModelInferCall"/>.</summary>
internal sealed class ModelInferCallInput(string name, string datatype, long[] shape, ModelInferCallContents contents)
{
    public string Name { get; } = name;

    public string Datatype { get; } = datatype;

    public long[] Shape { get; } = shape;

    public ModelInferCallContents Contents { get; } = contents;
}

/// <summary>
/// The typed contents of a directly decoded input: at most one of the <c>InferTensorContents</c> fields is set (the
/// decoder leaves anything else to the generated parser); an absent field reads as empty, as in the generated message.
/// </summary>
internal sealed class ModelInferCallContents
{
    public static readonly ModelInferCallContents None = new();

    public bool[]? Bool { get; init; }

    public int[]? Int { get; init; }

    public long[]? Int64 { get; init; }

    public uint[]? UInt { get; init; }

    public ulong[]? UInt64 { get; init; }

    public float[]? Fp32 { get; init; }

    public double[]? Fp64 { get; init; }

    public byte[][]? Bytes { get; init; }
}
