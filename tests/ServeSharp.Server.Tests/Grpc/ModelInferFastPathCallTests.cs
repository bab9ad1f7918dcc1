using Microsoft.AspNetCore.Http;
using ServeSharp.Server.Grpc;

namespace ServeSharp.Server.Tests.Grpc;

/// <summary>Which requests <see cref="ModelInferFastPath"/> takes, from their headers alone.</summary>
public sealed class ModelInferFastPathCallTests
{
    [Theory]
    [InlineData(null, null, null, null, null, true)]
    [InlineData(null, null, "application/grpc+proto", null, null, true)]
    [InlineData(null, null, "APPLICATION/GRPC", null, null, true)]
    [InlineData(null, null, null, null, "identity", true)]
    [InlineData("HTTP/1.1", null, null, null, null, false)]
    [InlineData(null, "/inference.GRPCInferenceService/ModelStreamInfer", null, null, null, false)]
    [InlineData(null, "/inference.GRPCInferenceService/modelinfer", null, null, null, false)]
    [InlineData(null, null, "application/grpc-web", null, null, false)]
    [InlineData(null, null, "application/json", null, null, false)]
    [InlineData(null, null, null, "100m", null, false)]
    [InlineData(null, null, null, null, "gzip", false)]
    public void IsPlainCall(string? protocol, string? path, string? contentType, string? timeout, string? encoding, bool expected)
    {
        var request = new DefaultHttpContext().Request;
        request.Protocol = protocol ?? "HTTP/2";
        request.Method = "POST";
        request.Path = path ?? "/inference.GRPCInferenceService/ModelInfer";
        request.ContentType = contentType ?? "application/grpc";
        if (timeout is not null)
        {
            request.Headers["grpc-timeout"] = timeout;
        }

        if (encoding is not null)
        {
            request.Headers["grpc-encoding"] = encoding;
        }

        Assert.Equal(expected, ModelInferFastPath.IsPlainCall(request));
    }

    [Fact]
    public void IsPlainCall_OnlyForPost()
    {
        var request = new DefaultHttpContext().Request;
        request.Protocol = "HTTP/2";
        request.Method = "GET";
        request.Path = "/inference.GRPCInferenceService/ModelInfer";
        request.ContentType = "application/grpc";
        Assert.False(ModelInferFastPath.IsPlainCall(request));
    }
}
