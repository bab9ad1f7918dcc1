namespace ServeSharp.Control.Api;

/// <summary>
/// KServe's <c>InferenceServiceProtocol</c> strings and their enum order (v1=1, v2=2, grpc-v1=3, grpc-v2=4, unknown last),
/// which runtime selection sorts by.
/// </summary>
public static class InferenceProtocolVersion
{
    /// <summary>REST V1.</summary>
    public const string V1 = "v1";
    /// <summary>Open Inference Protocol REST.</summary>
    public const string V2 = "v2";
    /// <summary>gRPC V1 (TF serving).</summary>
    public const string GrpcV1 = "grpc-v1";
    /// <summary>Open Inference Protocol gRPC.</summary>
    public const string GrpcV2 = "grpc-v2";

    /// <summary>All values, in enum order.</summary>
    public static IReadOnlyList<string> All { get; } = [V1, V2, GrpcV1, GrpcV2];

    /// <summary>Enum rank; unknown strings rank after all known ones.</summary>
    public static int Rank(string? protocol) => protocol switch
    {
        V1 => 1,
        V2 => 2,
        GrpcV1 => 3,
        GrpcV2 => 4,
        _ => 5,
    };
}
