using k8s.Models;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Local.Reconciling;

namespace ServeSharp.Local.Tests.Reconciling;

/// <summary>
/// Which transformers call their predictor over gRPC, and so get a predictor host a gRPC channel can dial: KServe's
/// <c>--protocol</c> (before 0.11) or <c>--predictor_protocol</c> with a gRPC value, in the command or the arguments.
/// </summary>
public sealed class ComponentLauncherTests
{
    private static TransformerSpec Transformer(IList<string>? command, IList<string>? args) => new()
    {
        Containers = [new V1Container { Name = "kserve-container", Image = "example/transformer", Command = command, Args = args }],
    };

    [Theory]
    [InlineData("--protocol", "grpc-v2")]
    [InlineData("--predictor_protocol", "grpc-v2")]
    [InlineData("--protocol", "grpc-v1")]
    [InlineData("--protocol", "GRPC-V2")]
    public void ProtocolFlag_WithAGrpcValue_CallsOverGrpc(string flag, string value)
    {
        Assert.True(ComponentLauncher.CallsPredictorOverGrpc(Transformer(["python", "-m", "transformer"], ["--model_name", "m", flag, value])));
        Assert.True(ComponentLauncher.CallsPredictorOverGrpc(Transformer(["python", "-m", "transformer"], [$"{flag}={value}"])));
        Assert.True(ComponentLauncher.CallsPredictorOverGrpc(Transformer(["python", "-m", "transformer", flag, value], null)));
    }

    [Theory]
    [InlineData("--protocol", "v1")]
    [InlineData("--predictor_protocol", "v2")]
    [InlineData("--model_name", "grpc-v2")]
    [InlineData("--protocols", "grpc-v2")]
    public void RestOrOtherFlags_DoNotCallOverGrpc(string flag, string value)
    {
        Assert.False(ComponentLauncher.CallsPredictorOverGrpc(Transformer(["python"], [flag, value])));
        Assert.False(ComponentLauncher.CallsPredictorOverGrpc(Transformer(["python"], [$"{flag}={value}"])));
    }

    [Fact]
    public void NoContainerOrNoArguments_DoesNotCallOverGrpc()
    {
        Assert.False(ComponentLauncher.CallsPredictorOverGrpc(new TransformerSpec()));
        Assert.False(ComponentLauncher.CallsPredictorOverGrpc(Transformer(null, null)));
        Assert.False(ComponentLauncher.CallsPredictorOverGrpc(Transformer(["python"], ["--protocol"])));
    }
}
