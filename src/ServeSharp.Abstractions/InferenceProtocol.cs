namespace ServeSharp.Abstractions;

/// <summary>The wire protocol a request arrived on. Runtimes rarely need it; codecs and metrics do.</summary>
public enum InferenceProtocol
{
    /// <summary>KServe V1 REST (<c>instances</c> / <c>predictions</c>).</summary>
    V1,
    /// <summary>Open Inference Protocol over REST.</summary>
    V2Rest,
    /// <summary>Open Inference Protocol over gRPC.</summary>
    V2Grpc,
}
