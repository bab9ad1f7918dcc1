using System.CommandLine;
using ServeSharp.Cli.Commands;
using ServeSharp.Serving;

namespace ServeSharp.Cli.Tests.Serving;

public sealed class ServeOptionsTests
{
    private static (ServeOptions Definition, ParseResult Result) Parse(params string[] args)
    {
        var definition = new ServeOptions();
        var command = new Command("serve") { TreatUnmatchedTokensAsErrors = false };
        foreach (var option in definition.All)
        {
            command.Options.Add(option);
        }

        return (definition, command.Parse(args));
    }

    [Fact]
    public void Defaults_MatchKServe()
    {
        var (definition, result) = Parse();
        var options = definition.Bind(result);
        Assert.Equal("model", options.ModelName);
        Assert.Equal(8080, options.HttpPort);
        Assert.Equal(8081, options.GrpcPort);
        Assert.Equal(64L * 1024 * 1024, options.MaxRequestBodySize);
        Assert.Equal(8 * 1024 * 1024, options.GrpcMaxReceiveMessageSize);
        Assert.Null(options.ModelDirectory);
        Assert.False(options.EnableLatencyLogging);
    }

    [Fact]
    public void KServeRuntimeArgs_WithEqualsAndUnderscores_Work()
    {
        var (definition, result) = Parse(
            "--model_name=iris", "--model_dir=/mnt/models", "--http_port=9000", "--grpc_port=9001",
            "--enable_latency_logging=true", "--max_body_size=2m", "--enable_docs_url=true");
        var options = definition.Bind(result);
        Assert.Equal("iris", options.ModelName);
        Assert.Equal("/mnt/models", options.ModelDirectory);
        Assert.Equal(9000, options.HttpPort);
        Assert.Equal(9001, options.GrpcPort);
        Assert.True(options.EnableLatencyLogging);
        Assert.Equal(2L * 1024 * 1024, options.MaxRequestBodySize);
        Assert.Equal(["--enable_docs_url=true"], result.UnmatchedTokens);
    }

    [Fact]
    public void OurSpelling_WithSpaces_Works()
    {
        var (definition, result) = Parse(
            "--model-name", "m", "--model-dir", "/d", "--model-format", "onnx", "--http-port", "1", "--grpc-port", "2",
            "--intra-op-threads", "3", "--setting", "predict_proba=true", "--grpc_max_receive_message_length", "100");
        var options = definition.Bind(result);
        Assert.Equal("onnx", options.ModelFormat);
        Assert.Equal("3", options.ModelSettings["intra_op_threads"]);
        Assert.Equal("true", options.ModelSettings["predict_proba"]);
        Assert.Equal(100, options.GrpcMaxReceiveMessageSize);
    }

    [Fact]
    public void RepeatedModelSpecs_AreParsed()
    {
        var (definition, result) = Parse("--model", "a=/x", "--model", "b:xgboost=/y");
        var options = definition.Bind(result);
        Assert.Equal(2, options.Models.Count);
        Assert.Equal(("a", "/x", (string?)null), (options.Models[0].Name, options.Models[0].Directory, options.Models[0].Format));
        Assert.Equal(("b", "/y", "xgboost"), (options.Models[1].Name, options.Models[1].Directory, options.Models[1].Format));
    }

    [Theory]
    [InlineData("--http_port=70000", "--http-port must be between 0 and 65535")]
    [InlineData("--max-body-size=lots", "--max-body-size 'lots' is not a size")]
    [InlineData("--model=nodir", "must look like NAME=DIR")]
    [InlineData("--model=a/b=/x", "not a valid model name")]
    [InlineData("--setting=novalue", "must look like KEY=VALUE")]
    [InlineData("--workers=0", "--workers must be at least 1")]
    public void BadValues_ThrowNamingTheOption(string arg, string expected)
    {
        var (definition, result) = Parse(arg);
        var e = Assert.Throws<ArgumentException>(() => definition.Bind(result));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SamePorts_AreRejected()
    {
        var (definition, result) = Parse("--http-port=9000", "--grpc-port=9000");
        Assert.Throws<ArgumentException>(() => definition.Bind(result));
    }

    [Theory]
    [InlineData("1024", 1024L)]
    [InlineData("64m", 64L * 1024 * 1024)]
    [InlineData("64MiB", 64L * 1024 * 1024)]
    [InlineData("1g", 1024L * 1024 * 1024)]
    [InlineData("2k", 2048L)]
    public void ByteSizes_Parse(string text, long expected)
    {
        Assert.True(ByteSizeParser.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void ServeVerb_IsRegistered()
    {
        Assert.Contains(CommandCatalog.All(), c => c.Name == "serve");
    }
}
