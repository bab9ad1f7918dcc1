using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx.Tests;

public sealed class OnnxSessionSettingsTests
{
    private static readonly System.Text.Json.JsonElement Iris = OnnxFixtures.Expected.GetProperty("iris");

    [Fact]
    public void Resolve_NoSettings_TakesTheRuntimeDefaults_ArenaOff()
    {
        var settings = OnnxSessionSettings.Resolve(Context(), new OnnxRuntimeOptions());
        Assert.Equal(new OnnxSessionSettings(1, MemoryArena: false), settings);

        using var options = settings.CreateSessionOptions("m");
        Assert.False(options.EnableCpuMemArena);
        Assert.Equal(1, options.IntraOpNumThreads);
        Assert.Equal("m", options.LogId);
    }

    [Fact]
    public void Resolve_RuntimeDefaultsArenaOn_IsPassedToTheSession()
    {
        var settings = OnnxSessionSettings.Resolve(Context(), new OnnxRuntimeOptions { MemoryArena = true, IntraOpThreads = 3 });
        using var options = settings.CreateSessionOptions("m");
        Assert.True(options.EnableCpuMemArena);
        Assert.Equal(3, options.IntraOpNumThreads);
    }

    [Theory]
    [InlineData("true", false, true)]
    [InlineData("True", false, true)]
    [InlineData("false", true, false)]
    [InlineData("FALSE", true, false)]
    public void Resolve_ModelSetting_OverridesTheRuntimeDefault(string value, bool runtimeDefault, bool expected)
    {
        var context = Context((OnnxRuntimeOptions.MemoryArenaSetting, value), (OnnxRuntimeOptions.IntraOpThreadsSetting, "2"));
        var settings = OnnxSessionSettings.Resolve(context, new OnnxRuntimeOptions { MemoryArena = runtimeDefault });
        Assert.Equal(new OnnxSessionSettings(2, expected), settings);
        using var options = settings.CreateSessionOptions("m");
        Assert.Equal(expected, options.EnableCpuMemArena);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("")]
    public void Resolve_InvalidMemoryArenaSetting_ThrowsNamingSettingAndValue(string value)
    {
        var error = Assert.Throws<ModelLoadException>(
            () => OnnxSessionSettings.Resolve(Context((OnnxRuntimeOptions.MemoryArenaSetting, value)), new OnnxRuntimeOptions()));
        Assert.Equal($"Setting memory_arena='{value}' for model 'm' is invalid: expected true or false.", error.Message);
    }

    [Fact]
    public async Task LoadAsync_InvalidMemoryArenaSetting_FailsTheLoad()
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["MEMORY_ARENA"] = "sometimes" };
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => OnnxFixtures.LoadAsync("iris", settings));
        Assert.Contains("memory_arena='sometimes'", error.Message);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task LoadAsync_EitherArena_PredictsSklearnLabelsOnEveryRowSize(string arena)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["memory_arena"] = arena };
        await using var model = await OnnxFixtures.LoadAsync("iris", settings);
        var input = Iris.GetProperty("input");
        var data = OnnxFixtures.Doubles(input.GetProperty("data"));
        var expected = OnnxFixtures.Longs(Iris.GetProperty("predict"));

        // One row and all 150 rows (run slots), and 6,000 rows (96 KiB of FP32, past the slot limit: the copying run): the
        // tensors of each come from the allocator under test.
        foreach (var repeat in new[] { 0, 1, 40 })
        {
            var rows = repeat == 0 ? 1 : 150 * repeat;
            var values = Enumerable.Range(0, rows * 4).Select(i => data[i % data.Length]).ToArray();
            var request = new InferenceRequest("iris", [Tensor.Create("input-0", [rows, 4], values)]) { Protocol = InferenceProtocol.V1 };
            var response = await model.PredictAsync(request);
            var labels = Assert.Single(response.Outputs).GetData<long>().ToArray();
            Assert.Equal(Enumerable.Range(0, rows).Select(i => expected[i % expected.Length]), labels);
        }
    }

    private static ModelLoadContext Context(params (string Key, string Value)[] settings) => new()
    {
        Name = "m",
        ModelDirectory = "/unused",
        Settings = settings.ToDictionary(s => s.Key, s => s.Value, StringComparer.OrdinalIgnoreCase),
    };
}
