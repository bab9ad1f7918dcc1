using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx.Tests;

public sealed class OnnxModelRuntimeTests
{
    private static readonly byte[] LinearBytes = File.ReadAllBytes(Path.Combine(OnnxFixtures.Directory("linear"), "model.onnx"));

    [Fact]
    public void Format_IsKServeName()
    {
        Assert.Equal("onnx", new OnnxModelRuntime().Format);
    }

    [Fact]
    public void CanLoad_MissingOrEmptyOrForeignDirectory_IsFalse()
    {
        using var temp = new TempDirectory();
        var runtime = new OnnxModelRuntime();
        Assert.False(runtime.CanLoad(Path.Combine(temp.Path, "missing")));
        Assert.False(runtime.CanLoad(temp.Path));
        temp.Write("model.joblib", [1, 2, 3]);
        Directory.CreateDirectory(Path.Combine(temp.Path, "1"));
        File.WriteAllBytes(Path.Combine(temp.Path, "1", "model.onnx"), LinearBytes);
        Assert.False(runtime.CanLoad(temp.Path));
        Assert.False(runtime.CanLoad("\0bad"));
    }

    [Fact]
    public void CanLoad_AnyTopLevelOnnxFile_IsTrue()
    {
        using var temp = new TempDirectory();
        temp.Write("classifier.onnx", LinearBytes);
        Assert.True(new OnnxModelRuntime().CanLoad(temp.Path));
    }

    [Fact]
    public void WarmUpGraph_IsAnIdentityOverOneFloat()
    {
        using var session = OnnxModelRuntime.CreateWarmUpSession();
        Assert.Equal(["x"], session.InputNames);
        Assert.Equal(["y"], session.OutputNames);
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new[] { 2.5f }, [1]);
        using var results = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), ["x"], [input], ["y"]);
        Assert.Equal([2.5f], results[0].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public async Task WarmUp_ThenLoad_ModelAnswers()
    {
        OnnxModelRuntime.WarmUp();
        OnnxModelRuntime.WarmUp();
        using var temp = new TempDirectory();
        temp.Write("model.onnx", LinearBytes);
        await using var model = await new OnnxModelRuntime().LoadAsync(new ModelLoadContext { Name = "linear", ModelDirectory = temp.Path }, CancellationToken.None);
        Assert.Equal("linear", model.Metadata.Name);
    }

    [Fact]
    public async Task LoadAsync_SingleFileWithAnyName_Loads()
    {
        using var temp = new TempDirectory();
        temp.Write("classifier.onnx", LinearBytes);
        await using var model = await LoadAsync(temp.Path);
        Assert.Equal(["logits", "probabilities", "label"], model.Metadata.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task LoadAsync_SeveralFilesWithModelOnnx_PicksModelOnnx()
    {
        using var temp = new TempDirectory();
        temp.Write("other.onnx", [1, 2, 3]);
        temp.Write("model.onnx", LinearBytes);
        await using var model = await LoadAsync(temp.Path);
        Assert.Equal("x", Assert.Single(model.Metadata.Inputs).Name);
    }

    [Fact]
    public async Task LoadAsync_SeveralFilesWithoutModelOnnx_NamesThemAll()
    {
        using var temp = new TempDirectory();
        temp.Write("b.onnx", LinearBytes);
        temp.Write("a.onnx", LinearBytes);
        Assert.True(new OnnxModelRuntime().CanLoad(temp.Path));
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => LoadAsync(temp.Path).AsTask());
        Assert.Contains("2 .onnx files (a.onnx, b.onnx)", error.Message);
        Assert.Contains("model.onnx", error.Message);
    }

    [Fact]
    public async Task LoadAsync_NoOnnxFile_SaysSo()
    {
        using var temp = new TempDirectory();
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => LoadAsync(temp.Path).AsTask());
        Assert.Contains("No .onnx file", error.Message);
        var missing = await Assert.ThrowsAsync<ModelLoadException>(() => LoadAsync(Path.Combine(temp.Path, "nope")).AsTask());
        Assert.Contains("does not exist", missing.Message);
    }

    public static TheoryData<string, byte[]> CorruptFiles() => new()
    {
        { "empty", [] },
        { "random bytes", RandomBytes(4096) },
        { "text", "this is not a model\n"u8.ToArray() },
        { "truncated", LinearBytes[..(LinearBytes.Length / 2)] },
        { "huge length prefix", [0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x0A, 0x01] },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public async Task LoadAsync_CorruptFile_ThrowsModelLoadExceptionNamingTheFile(string description, byte[] content)
    {
        using var temp = new TempDirectory();
        var path = temp.Write("model.onnx", content);
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => LoadAsync(temp.Path).AsTask());
        Assert.True(error.Message.Contains(path, StringComparison.Ordinal), $"{description}: {error.Message}");
    }

    [Theory]
    [InlineData("unknown_op.onnx", "NoSuchOperator")]
    [InlineData("external_escape.onnx", "escapes model directory")]
    [InlineData("dangling_input.onnx", "'nowhere'")]
    public async Task LoadAsync_HostileGraph_ThrowsModelLoadException(string file, string expectedDetail)
    {
        using var temp = new TempDirectory();
        var path = temp.Write(file, File.ReadAllBytes(Path.Combine(OnnxFixtures.Directory("hostile"), file)));
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => LoadAsync(temp.Path).AsTask());
        Assert.Contains(path, error.Message);
        Assert.Contains(expectedDetail, error.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("5000")]
    public async Task LoadAsync_InvalidIntraOpThreadsSetting_Throws(string value)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["INTRA_OP_THREADS"] = value };
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => OnnxFixtures.LoadAsync("linear", settings));
        Assert.Contains("intra_op_threads", error.Message);
        Assert.Contains(value, error.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public async Task LoadAsync_IntraOpThreadsSetting_LoadsAndPredicts(string value)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["intra_op_threads"] = value };
        await using var model = await OnnxFixtures.LoadAsync("linear", settings);
        var response = await model.PredictAsync(OnnxFixtures.Request("linear", Tensor.Create("x", [1, 4], new float[4])));
        Assert.Equal(3, response.Outputs.Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1025)]
    public void Constructor_OutOfRangeThreads_Throws(int threads)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxModelRuntime(
            new OnnxRuntimeOptions { IntraOpThreads = threads },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            TimeProvider.System));
    }

    [Fact]
    public void Constructor_WithIOptions_ValidatesTheConfiguredOptions()
    {
        var logger = Microsoft.Extensions.Logging.Abstractions.NullLogger<OnnxModelRuntime>.Instance;
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxModelRuntime(
            Microsoft.Extensions.Options.Options.Create(new OnnxRuntimeOptions { IntraOpThreads = -5 }), logger, TimeProvider.System));
        var runtime = new OnnxModelRuntime(
            Microsoft.Extensions.Options.Options.Create(new OnnxRuntimeOptions { IntraOpThreads = 3 }), logger, TimeProvider.System);
        Assert.Equal("onnx", runtime.Format);
    }

    [Fact]
    public async Task Metadata_LinearModel_HasDynamicDimsAsMinusOne()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear", name: "lin");
        var metadata = model.Metadata;
        Assert.Equal("lin", metadata.Name);
        Assert.Equal("onnx_onnxv1", metadata.Platform);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal(("x", TensorDataType.FP32), (input.Name, input.DataType));
        Assert.Equal([-1L, 4], input.Shape);
        Assert.Collection(
            metadata.Outputs,
            o => Assert.Equal(("logits", TensorDataType.FP32, "-1,3"), (o.Name, o.DataType, string.Join(',', o.Shape))),
            o => Assert.Equal(("probabilities", TensorDataType.FP32, "-1,3"), (o.Name, o.DataType, string.Join(',', o.Shape))),
            o => Assert.Equal(("label", TensorDataType.Int64, "-1"), (o.Name, o.DataType, string.Join(',', o.Shape))));
    }

    [Fact]
    public async Task Metadata_AllTypes_MapsEveryOnnxTypeWithAV2Datatype()
    {
        await using var model = await OnnxFixtures.LoadAsync("all_types");
        var expected = Enum.GetValues<TensorDataType>().Select(t => t.ToWireName()).Order().ToArray();
        Assert.Equal(expected, model.Metadata.Inputs.Select(i => i.DataType.ToWireName()).Order());
        foreach (var input in model.Metadata.Inputs)
        {
            Assert.Equal("in_" + input.DataType.ToWireName(), input.Name);
            Assert.Equal([-1L, 2], input.Shape);
        }

        foreach (var output in model.Metadata.Outputs)
        {
            Assert.Equal("out_" + output.DataType.ToWireName(), output.Name);
        }
    }

    [Fact]
    public async Task Metadata_FixedShape_KeepsFixedDims()
    {
        await using var model = await OnnxFixtures.LoadAsync("fixed_shape");
        var input = Assert.Single(model.Metadata.Inputs);
        Assert.Equal(TensorDataType.Int32, input.DataType);
        Assert.Equal([2L, 3], input.Shape);
    }

    [Fact]
    public async Task Metadata_SequenceOutput_IsLeftOut()
    {
        await using var model = await OnnxFixtures.LoadAsync("sequence_output");
        Assert.Equal("y", Assert.Single(model.Metadata.Outputs).Name);
    }

    private static ValueTask<IModel> LoadAsync(string directory) =>
        new OnnxModelRuntime().LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = directory }, CancellationToken.None);

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(42).NextBytes(bytes);
        return bytes;
    }
}
