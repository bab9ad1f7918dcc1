using Google.Protobuf;
using Grpc.Core;
using ServeSharp.Protocol.Grpc.Generated;

namespace Ceiling;

/// <summary>
/// A gRPC inference service that parses the request (as any gRPC service must) and answers ModelInfer with a
/// pre-recorded response chosen by the first input's batch size; nothing else is computed.
/// </summary>
internal sealed class FixedInferenceService(IReadOnlyDictionary<long, ModelInferResponse> responses)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var batch = request.Inputs.Count > 0 && request.Inputs[0].Shape.Count > 0 ? request.Inputs[0].Shape[0] : 0;
        return responses.TryGetValue(batch, out var response)
            ? Task.FromResult(response)
            : throw new RpcException(new Status(StatusCode.NotFound, $"no recorded response for batch {batch}"));
    }

    /// <summary>Reads grpc-b&lt;N&gt;.bin files (a gRPC frame: 5-byte prefix + message) recorded from servesharp.</summary>
    public static Dictionary<long, ModelInferResponse> Load(string directory)
    {
        var responses = new Dictionary<long, ModelInferResponse>();
        foreach (var file in Directory.GetFiles(directory, "grpc-b*.bin"))
        {
            var batch = long.Parse(Path.GetFileNameWithoutExtension(file)["grpc-b".Length..], System.Globalization.CultureInfo.InvariantCulture);
            var frame = File.ReadAllBytes(file);
            responses[batch] = ModelInferResponse.Parser.ParseFrom(ByteString.CopyFrom(frame, 5, frame.Length - 5));
        }

        return responses;
    }
}
