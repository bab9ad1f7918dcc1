using k8s.Models;
using ServeSharp.Local.Reconciling;

namespace ServeSharp.Local.Tests.Reconciling;

/// <summary>
/// A container whose command is <c>servesharp</c> runs this installation: <c>servesharp serve</c> through the natively
/// compiled model server when there is one, every other verb through the full tool.
/// </summary>
public sealed class ContainerProcessMapperTests
{
    private static readonly LocalPlatformOptions WithNative = new()
    {
        ServeCommand = ["/opt/servesharp/servesharp"],
        ModelServerCommand = ["/opt/servesharp/servesharp-serve"],
    };

    private static V1Container Container(IList<string> command, IList<string>? args = null) => new()
    {
        Name = "kserve-container",
        Image = "example/servesharp:latest",
        Command = command,
        Args = args,
        Ports = [new V1ContainerPort { Name = "http1", ContainerPort = 8080 }],
    };

    [Fact]
    public void ServeVerb_InTheCommand_RunsTheNativeModelServer()
    {
        var (template, error) = new ContainerProcessMapper(WithNative).Map(Container(["servesharp", "serve"], ["--model_dir=/mnt/models", "--http_port=8080"]));

        Assert.Null(error);
        Assert.Equal("/opt/servesharp/servesharp-serve", template!.Command);
        Assert.Equal(["serve", "--model_dir=$(MODEL_DIR)", "--http_port=$(PORT_HTTP)"], template.Arguments);
    }

    [Fact]
    public void ServeVerb_InTheArgs_RunsTheNativeModelServer()
    {
        var (template, _) = new ContainerProcessMapper(WithNative).Map(Container(["servesharp"], ["serve", "--model_name=m"]));

        Assert.Equal("/opt/servesharp/servesharp-serve", template!.Command);
        Assert.Equal(["serve", "--model_name=m"], template.Arguments);
    }

    [Fact]
    public void OtherVerbs_RunTheFullTool()
    {
        var (template, _) = new ContainerProcessMapper(WithNative).Map(Container(["servesharp", "storage-initializer"], ["s3://b/m", "/mnt/models"]));

        Assert.Equal("/opt/servesharp/servesharp", template!.Command);
        Assert.Equal(["storage-initializer", "s3://b/m", "$(MODEL_DIR)"], template.Arguments);
    }

    [Fact]
    public void WithoutANativeModelServer_ServeRunsTheFullTool()
    {
        var options = new LocalPlatformOptions { ServeCommand = ["dotnet", "/opt/servesharp/servesharp.dll"] };

        var (template, _) = new ContainerProcessMapper(options).Map(Container(["servesharp", "serve"]));

        Assert.Equal("dotnet", template!.Command);
        Assert.Equal(["/opt/servesharp/servesharp.dll", "serve"], template.Arguments);
    }
}
