using System.Text;
using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.LightGbm;

namespace ServeSharp.Runtimes.Trees.Tests.LightGbm;

/// <summary>Model discovery, hostile files and requests for the LightGBM runtime.</summary>
public sealed class LightGbmLoadTests
{
    private static string Fixture(string caseName) => Path.Combine(FixtureCases.Root("lightgbm"), caseName, "model.txt");

    private static ValueTask<IModel> Load(string dir) =>
        new LightGbmRuntime().LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = dir }, default);

    private static async Task<ModelLoadException> LoadFails(string text, string name = "model.bst")
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File(name), text);
        var error = await Assert.ThrowsAsync<ModelLoadException>(async () => await Load(dir.Path));
        Assert.Contains(dir.File(name), error.Message, StringComparison.Ordinal);
        return error;
    }

    private static string ReplaceInFirstTree(string model, string key, string value)
    {
        var start = model.IndexOf("\n" + key + "=", StringComparison.Ordinal) + 1;
        var end = model.IndexOf('\n', start);
        return model[..start] + key + "=" + value + model[end..];
    }

    [Fact]
    public async Task Load_KServeBstName_Works_AndXGBoostRuntimeDeclines()
    {
        using var dir = new TempDirectory();
        File.Copy(Fixture("binary"), dir.File("model.bst"));
        Assert.True(new LightGbmRuntime().CanLoad(dir.Path));
        Assert.False(new ServeSharp.Runtimes.Trees.XGBoost.XGBoostRuntime().CanLoad(dir.Path));
        await using var model = await Load(dir.Path);
        Assert.Equal("output-0", model.Metadata.Outputs[0].Name);
    }

    [Fact]
    public async Task Load_NoFile_AndTwoFiles_UseKServeMessages()
    {
        using var dir = new TempDirectory();
        var none = await Assert.ThrowsAsync<ModelLoadException>(async () => await Load(dir.Path));
        Assert.StartsWith("ModelMissingError: " + dir.Path, none.Message, StringComparison.Ordinal);
        File.Copy(Fixture("binary"), dir.File("model.bst"));
        File.Copy(Fixture("binary"), dir.File("model.txt"));
        var two = await Assert.ThrowsAsync<ModelLoadException>(async () => await Load(dir.Path));
        Assert.StartsWith("More than one model file is detected, Only one is allowed within model_dir: [", two.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_TxtThatIsNotAModel_IsNotACandidate()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("README.txt"), "How this model was trained.\n");
        Assert.False(new LightGbmRuntime().CanLoad(dir.Path));
        var none = await Assert.ThrowsAsync<ModelLoadException>(async () => await Load(dir.Path));
        Assert.Equal(
            $"ModelMissingError: {dir.Path} (no model file ending in .bst, or in .txt and holding a LightGBM text model, found in the model directory)",
            none.Message);

        // Beside a model it is not a second model file.
        File.Copy(Fixture("binary"), dir.File("model.bst"));
        Assert.True(new LightGbmRuntime().CanLoad(dir.Path));
        await using var model = await Load(dir.Path);
        Assert.Equal("lightgbm", model.Metadata.Platform);
    }

    [Fact]
    public async Task Load_NotLightGbm_Fails()
    {
        var error = await LoadFails("binf\0\0\0garbage");
        Assert.Contains("first line is not 'tree'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_EveryTruncation_FailsCleanly()
    {
        var text = await File.ReadAllTextAsync(Fixture("categorical"));
        var end = text.IndexOf("end of trees", StringComparison.Ordinal);
        for (var length = 0; length < end; length += 97)
        {
            await LoadFails(text[..length]);
        }
    }

    [Theory]
    [InlineData("num_leaves", "2000000000", "num_leaves 2000000000 is out of range")]
    [InlineData("left_child", "0 3 4 9 13 10 -6 -5 -3 -1 -4 -8 -9 -2", "reached twice")]
    [InlineData("left_child", "99 3 4 9 13 10 -6 -5 -3 -1 -4 -8 -9 -2", "child 99 is out of range")]
    [InlineData("split_feature", "1 1 0 0 2 2 0 2 2 2 7 2 2 4", "feature 7")]
    [InlineData("decision_type", "9 9 10 8 8 10 8 10 10 10", "'decision_type' has 10 values; expected 14")]
    [InlineData("cat_boundaries", "0 1 5", "cat_boundaries are inconsistent")]
    [InlineData("threshold", "5 1 0 0 0 0 0 0 0 0 0 0 0 0", "category set 5 of 2")]
    public async Task Load_HostileTree_FailsNamingTheProblem(string key, string value, string expected)
    {
        var text = await File.ReadAllTextAsync(Fixture("categorical"));
        var error = await LoadFails(ReplaceInFirstTree(text, key, value));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_WrongFeatureCount_IsInvalidInputWithExpectedCount()
    {
        using var dir = FixtureCases.DirectoryWith(Fixture("regression"));
        await using var model = await Load(dir.Path);
        var input = new Tensor("x", TensorDataType.FP64, [2, 3], new double[6]);
        var error = await Assert.ThrowsAsync<InferenceException>(async () => await model.PredictAsync(new InferenceRequest("m", [input]), default));
        Assert.Equal(InferenceErrorKind.InvalidInput, error.Kind);
        Assert.Equal("The number of features in data (3) is not the same as it was in training data (5).", error.Message);
    }

    [Fact]
    public async Task Predict_PandasColumns_AreMatchedByFeatureName()
    {
        using var dir = FixtureCases.DirectoryWith(Fixture("feature_names"));
        await using var model = await Load(dir.Path);
        string[] names = ["sepal_length", "sepal_width", "petal_length", "petal_width", "colour_index"];
        double[] row = [0.3, -1.2, 0.8, 2.0, 0.0];
        var matrix = new Tensor("x", TensorDataType.FP64, [1, 5], row);
        var expected = (await model.PredictAsync(new InferenceRequest("m", [matrix]), default)).Outputs[0].GetData<double>();

        // Columns sent in reverse order, by name.
        var columns = Enumerable.Range(0, 5).Reverse()
            .Select(i => new Tensor(names[i], TensorDataType.FP64, [1], new[] { row[i] }))
            .ToArray();
        var pd = new InferenceRequest("m", columns) { Parameters = new InferParameters { ["content_type"] = InferParameter.FromString("pd") } };
        var actual = (await model.PredictAsync(pd, default)).Outputs[0].GetData<double>();
        Assert.Equal(expected, actual);

        // The same values in reverse order without matching names are taken positionally, giving another answer.
        var positional = Enumerable.Range(0, 5).Reverse()
            .Select(i => new Tensor("c" + i, TensorDataType.FP64, [1], new[] { row[i] }))
            .ToArray();
        var other = (await model.PredictAsync(new InferenceRequest("m", positional) { Parameters = pd.Parameters }, default)).Outputs[0].GetData<double>();
        Assert.NotEqual(expected, other);
    }

    [Fact]
    public async Task Predict_Multiclass_ReturnsRowsByClasses()
    {
        using var dir = FixtureCases.DirectoryWith(Fixture("multiclass"));
        await using var model = await Load(dir.Path);
        var input = new Tensor("x", TensorDataType.FP32, [2, 5], new float[] { 0, 1, 2, 3, 4, -1, -2, -3, -4, -5 });
        var output = (await model.PredictAsync(new InferenceRequest("m", [input]), default)).Outputs[0];
        Assert.Equal(new long[] { 2, 3 }, output.Shape);
        var p = output.GetData<double>();
        Assert.Equal(1.0, p[0] + p[1] + p[2], 12);
    }
}
