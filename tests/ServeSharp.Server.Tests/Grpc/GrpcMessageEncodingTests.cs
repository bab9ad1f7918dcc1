using ServeSharp.Server.Grpc;

namespace ServeSharp.Server.Tests.Grpc;

public sealed class GrpcMessageEncodingTests
{
    [Theory]
    [InlineData("Model with name iris does not exist.", "Model with name iris does not exist.")]
    [InlineData("100%", "100%25")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("modèle", "mod%C3%A8le")]
    [InlineData("✓", "%E2%9C%93")]
    [InlineData("~ and space", "~ and space")]
    [InlineData("\u007f", "%7F")]
    [InlineData("", "")]
    public void Encode_PercentEncodesUtf8BytesOutsidePrintableAscii(string message, string expected) =>
        Assert.Equal(expected, GrpcMessageEncoding.Encode(message));
}
