using System.Text;
using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.XGBoost;

namespace ServeSharp.Runtimes.Trees.Tests.XGBoost;

/// <summary>Model discovery, hostile files and bad requests.</summary>
public sealed class XGBoostLoadTests
{
    private static string Fixture(string caseName, string file) =>
        Path.Combine(FixtureCases.Root("xgboost"), caseName, file);

    private static ValueTask<IModel> Load(string dir) =>
        new XGBoostRuntime().LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = dir }, default);

    private static async Task<ModelLoadException> LoadFails(byte[] content, string name = "model.bst")
    {
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File(name), content);
        var error = await Assert.ThrowsAsync<ModelLoadException>(async () => await Load(dir.Path));
        Assert.Contains(dir.File(name), error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public async Task Load_NoModelFile_ReportsKServeModelMissingError()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("README.md"), "not a model");
        var error = await Assert.ThrowsAsync<ModelLoadException>(async () => await Load(dir.Path));
        Assert.StartsWith("ModelMissingError: " + dir.Path, error.Message, StringComparison.Ordinal);
        Assert.False(new XGBoostRuntime().CanLoad(dir.Path));
    }

    [Fact]
    public async Task Load_TwoModelFiles_ReportsKServeMoreThanOne()
    {
        using var dir = FixtureCases.DirectoryWith(Fixture("reg_squarederror", "model.json"), Fixture("reg_squarederror", "model.bst"));
        var error = await Assert.ThrowsAsync<ModelLoadException>(async () => await Load(dir.Path));
        Assert.Equal(
            $"More than one model file is detected, Only one is allowed within model_dir: ['{dir.File("model.bst")}', '{dir.File("model.json")}']",
            error.Message);
    }

    [Fact]
    public async Task CanLoad_RejectsLightGbmTextAndUnrelatedJson()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("model.bst"), "tree\nversion=v4\nnum_class=1\n");
        Assert.False(new XGBoostRuntime().CanLoad(dir.Path));
        File.Delete(dir.File("model.bst"));
        await File.WriteAllTextAsync(dir.File("model-settings.json"), "{\"name\": \"x\"}");
        Assert.False(new XGBoostRuntime().CanLoad(dir.Path));
    }

    [Fact]
    public async Task Load_WrongMagic_FailsNamingFile()
    {
        var error = await LoadFails("garbage that is not a model"u8.ToArray());
        Assert.Contains("expected the 'binf' magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_EveryTruncationOfEveryFormat_FailsCleanly()
    {
        foreach (var file in new[] { "model.bst", "model.json", "model.ubj" })
        {
            var bytes = await File.ReadAllBytesAsync(Fixture("multi_softprob", file));
            for (var length = 0; length < bytes.Length - 1; length += Math.Max(1, bytes.Length / 97))
            {
                await LoadFails(bytes[..length], file);
            }
        }
    }

    [Fact]
    public async Task Load_BinaryWithHugeTreeCount_FailsWithoutAllocating()
    {
        var bytes = await File.ReadAllBytesAsync(Fixture("binary_logistic", "model.bst"));
        // GBTreeModelParam.num_trees follows the 4-byte magic, the 136-byte learner parameters and two strings.
        var offset = 4 + 136 + 8 + "binary:logistic".Length + 8 + "gbtree".Length;
        BitConverter.GetBytes(int.MaxValue).CopyTo(bytes, offset);
        var error = await LoadFails(bytes);
        Assert.Contains("tree count", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_BinaryWithHugeNodeCount_Fails()
    {
        var bytes = await File.ReadAllBytesAsync(Fixture("binary_logistic", "model.bst"));
        var offset = 4 + 136 + 8 + "binary:logistic".Length + 8 + "gbtree".Length + 160 + 4;
        BitConverter.GetBytes(500_000_000).CopyTo(bytes, offset);
        var error = await LoadFails(bytes);
        Assert.Contains("claims 500000000 nodes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_JsonWithChildCycle_Fails()
    {
        var json = await File.ReadAllTextAsync(Fixture("reg_squarederror", "model.json"));
        var cyclic = ReplaceFirst(json, "\"left_children\":[1,", "\"left_children\":[0,");
        var error = await LoadFails(Encoding.UTF8.GetBytes(cyclic), "model.json");
        Assert.Contains("reached twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_JsonWithFeatureIndexOutOfRange_Fails()
    {
        var json = await File.ReadAllTextAsync(Fixture("reg_squarederror", "model.json"));
        var start = json.IndexOf("\"split_indices\":[", StringComparison.Ordinal) + "\"split_indices\":[".Length;
        var end = json.IndexOf(',', start);
        var bad = json[..start] + "99" + json[end..];
        var error = await LoadFails(Encoding.UTF8.GetBytes(bad), "model.json");
        Assert.Contains("feature 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_DeeplyNestedJson_FailsWithoutStackOverflow()
    {
        var nested = "{\"learner\":" + new string('[', 100_000) + new string(']', 100_000) + "}";
        var error = await LoadFails(Encoding.UTF8.GetBytes(nested), "model.json");
        Assert.Contains("nesting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_UbjsonWithLyingCount_Fails()
    {
        var bytes = await File.ReadAllBytesAsync(Fixture("reg_squarederror", "model.ubj"));
        var at = bytes.AsSpan().IndexOf("#L"u8);
        Assert.True(at > 0);
        BitConverter.GetBytes(long.MaxValue / 2).Reverse().ToArray().CopyTo(bytes, at + 2);
        var error = await LoadFails(bytes, "model.ubj");
        Assert.Contains("UBJSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_RandomByteCorruption_NeverThrowsAnythingElse()
    {
        var random = new Random(5);
        foreach (var file in new[] { "model.bst", "model.json", "model.ubj" })
        {
            var original = await File.ReadAllBytesAsync(Fixture("multi_softprob", file));
            for (var trial = 0; trial < 60; trial++)
            {
                var bytes = (byte[])original.Clone();
                for (var k = 0; k < 4; k++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                using var dir = new TempDirectory();
                await File.WriteAllBytesAsync(dir.File(file), bytes);
                try
                {
                    await using var model = await Load(dir.Path);
                    var input = new Tensor("x", TensorDataType.FP32, [2, 5], new float[10]);
                    await model.PredictAsync(new InferenceRequest("m", [input]), default);
                }
                catch (ModelLoadException)
                {
                }
            }
        }
    }

    [Fact]
    public async Task Predict_WrongFeatureCount_IsInvalidInputWithExpectedCount()
    {
        using var dir = FixtureCases.DirectoryWith(Fixture("reg_squarederror", "model.json"));
        await using var model = await Load(dir.Path);
        var input = new Tensor("x", TensorDataType.FP32, [1, 4], new float[4]);
        var error = await Assert.ThrowsAsync<InferenceException>(async () => await model.PredictAsync(new InferenceRequest("m", [input]), default));
        Assert.Equal(InferenceErrorKind.InvalidInput, error.Kind);
        Assert.Equal("Feature shape mismatch, expected: 5, got 4", error.Message);
    }

    [Fact]
    public async Task Predict_Infinity_IsInvalidInput()
    {
        using var dir = FixtureCases.DirectoryWith(Fixture("reg_squarederror", "model.json"));
        await using var model = await Load(dir.Path);
        var input = new Tensor("x", TensorDataType.FP64, [1, 5], new[] { 1.0, 1e300, 0, 0, 0 });
        var error = await Assert.ThrowsAsync<InferenceException>(async () => await model.PredictAsync(new InferenceRequest("m", [input]), default));
        Assert.Equal(InferenceErrorKind.InvalidInput, error.Kind);
        Assert.Contains("inf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_PandasColumns_InRequestOrderWhenModelHasNoNames()
    {
        using var dir = FixtureCases.DirectoryWith(Fixture("reg_squarederror", "model.json"));
        await using var model = await Load(dir.Path);
        double[][] rows = [[0.1, -0.2, 0.3, 1.5, -2], [1, 2, 3, 4, 5]];
        var matrix = new Tensor("x", TensorDataType.FP64, [2, 5], rows.SelectMany(r => r).ToArray());
        var columns = Enumerable.Range(0, 5)
            .Select(c => new Tensor($"c{c}", TensorDataType.FP64, [2], rows.Select(r => r[c]).ToArray()))
            .ToArray();
        var pd = new InferenceRequest("m", columns) { Parameters = new InferParameters { ["content_type"] = InferParameter.FromString("pd") } };
        var a = (await model.PredictAsync(new InferenceRequest("m", [matrix]), default)).Outputs[0].GetData<float>();
        var b = (await model.PredictAsync(pd, default)).Outputs[0].GetData<float>();
        Assert.Equal(a, b);
        Assert.NotEqual(a[0], a[1]);
    }

    [Fact]
    public async Task Predict_BytesInput_IsInvalidInputSayingNumericExpected()
    {
        using var dir = FixtureCases.DirectoryWith(Fixture("reg_squarederror", "model.json"));
        await using var model = await Load(dir.Path);
        var input = Tensor.FromStrings("input-0", [1], ["1,2,3,4,5"]);
        var error = await Assert.ThrowsAsync<InferenceException>(async () => await model.PredictAsync(new InferenceRequest("m", [input]), default));
        Assert.Equal(InferenceErrorKind.InvalidInput, error.Kind);
        Assert.Contains("expected numeric features", error.Message, StringComparison.Ordinal);
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' not found");
        return text[..at] + to + text[(at + from.Length)..];
    }
}
