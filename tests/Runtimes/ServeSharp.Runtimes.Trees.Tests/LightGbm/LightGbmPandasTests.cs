using System.Text;
using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.LightGbm;

namespace ServeSharp.Runtimes.Trees.Tests.LightGbm;

/// <summary>
/// What KServe's lgbserver does with models saved by LightGBM's Python package: the <c>pandas_categorical</c> line,
/// <c>_data_from_pandas</c>'s checks on <c>content_type: pd</c> requests, and numpy's float32 copy of integer matrices.
/// The <c>pandas_categorical</c> fixture's predictions for plain matrices are checked against lib_lightgbm by
/// <see cref="LightGbmFixtureTests"/>.
/// </summary>
public sealed class LightGbmPandasTests
{
    private static readonly string[] Names = ["sepal_length", "sepal_width", "petal_length", "petal_width", "colour_index"];

    private static readonly InferParameters Pandas = new() { ["content_type"] = InferParameter.FromString("pd") };

    private static string Fixture(string caseName) => Path.Combine(FixtureCases.Root("lightgbm"), caseName, "model.txt");

    private static async Task<IModel> LoadText(TempDirectory dir, string text)
    {
        await File.WriteAllTextAsync(dir.File("model.bst"), text);
        return await new LightGbmRuntime().LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = dir.Path }, default);
    }

    private static Tensor Column(string name, params double[] values) => new(name, TensorDataType.FP64, [values.Length], values);

    private static Tensor TextColumn(string name, params string[] values) =>
        new(name, TensorDataType.Bytes, [values.Length], values.Select(Encoding.UTF8.GetBytes).ToArray());

    private static async Task<double[]> Predict(IModel model, IReadOnlyList<Tensor> inputs, InferParameters? parameters = null) =>
        (await model.PredictAsync(new InferenceRequest("m", inputs) { Parameters = parameters ?? new InferParameters() }, default))
        .Outputs[0].GetData<double>();

    private static async Task<InferenceException> PredictFails(IModel model, IReadOnlyList<Tensor> inputs, InferParameters? parameters = null)
    {
        var error = await Assert.ThrowsAsync<InferenceException>(async () => await Predict(model, inputs, parameters));
        Assert.Equal(InferenceErrorKind.InvalidInput, error.Kind);
        return error;
    }

    /// <summary>
    /// lgbserver builds the DataFrame from the request (<c>InferRequest.as_dataframe</c>, or <c>pd.DataFrame(instances)</c> for
    /// V1 column dicts): strings give object columns, numbers int/float ones, never pandas categories. LightGBM's
    /// <c>_data_from_pandas</c> then finds 0 category columns against the model's 2 and raises before anything else.
    /// </summary>
    [Theory]
    [InlineData("strings")]
    [InlineData("codes")]
    public async Task PandasCategoricalModel_PdRequest_GetsLightGbmsCategoricalMismatch(string kind)
    {
        using var dir = new TempDirectory();
        await using var model = await LoadText(dir, await File.ReadAllTextAsync(Fixture("pandas_categorical")));
        Tensor[] columns = kind == "strings"
            ? [Column(Names[0], 0.5), TextColumn(Names[1], "blue"), Column(Names[2], 1.0), TextColumn(Names[3], "2001"), Column(Names[4], 0)]
            : [Column(Names[0], 0.5), Column(Names[1], 1), Column(Names[2], 1.0), Column(Names[3], 6), Column(Names[4], 0)];

        var error = await PredictFails(model, columns, Pandas);
        Assert.StartsWith("train and valid dataset categorical_feature do not match.", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 category column(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("[rows, 5] matrix", error.Message, StringComparison.Ordinal);

        // The same values as a plain matrix of codes are answered.
        Assert.Single(await Predict(model, [new Tensor("input-0", TensorDataType.FP64, [1, 5], new[] { 0.5, 1, 1.0, 6, 0 })]));
    }

    [Theory]
    [InlineData("pandas_categorical:null")]
    [InlineData("pandas_categorical:[]")]
    public async Task NoCategoryColumnsRecorded_PdRequest_IsAnswered_ButTextColumnsGetPandasDtypeError(string line)
    {
        using var dir = new TempDirectory();
        var text = await File.ReadAllTextAsync(Fixture("feature_names"));
        await using var model = await LoadText(dir, text + "\n" + line + "\n");
        double[] row = [0.3, -1.2, 0.8, 2.0, 0.0];
        var plain = await Predict(model, [new Tensor("input-0", TensorDataType.FP64, [1, 5], row)]);
        Assert.Equal(plain, await Predict(model, [.. Names.Select((n, i) => Column(n, row[i]))], Pandas));

        Tensor[] withText = [Column(Names[0], 0.3), TextColumn(Names[1], "x"), Column(Names[2], 0.8), Column(Names[3], 2.0), TextColumn(Names[4], "y")];
        var error = await PredictFails(model, withText, Pandas);
        Assert.Equal("pandas dtypes must be int, float or bool.\nFields with bad pandas dtypes: sepal_width: object, colour_index: object", error.Message);
    }

    [Fact]
    public async Task PdRequest_WithNoRows_GetsLightGbmsEmptyDataError()
    {
        using var dir = new TempDirectory();
        await using var model = await LoadText(dir, await File.ReadAllTextAsync(Fixture("feature_names")));
        var error = await PredictFails(model, [.. Names.Select(n => Column(n))], Pandas);
        Assert.Equal("Input data must be 2 dimensional and non empty.", error.Message);
    }

    /// <summary>Like <c>_load_pandas_categorical</c>: only the last line, or the one before it, counts.</summary>
    [Theory]
    [InlineData("\npandas_categorical:[[\"a\"]]\n\n", true)]
    [InlineData("\npandas_categorical:[[\"a\"]]", true)]
    [InlineData("\r\npandas_categorical:[[\"a\"]]\r\n", true)]
    [InlineData("\npandas_categorical:[[\"a\"]]\n\nlast\n", false)]
    [InlineData("\npandas_categorical:[[\"a\"]]\nsecond\nlast\n", false)]
    public async Task PandasCategoricalLine_IsFoundWhereLightGbmLooks(string tail, bool found)
    {
        using var dir = new TempDirectory();
        await using var model = await LoadText(dir, await File.ReadAllTextAsync(Fixture("feature_names")) + tail);
        var columns = Names.Select(n => Column(n, 1.0)).ToArray();
        if (found)
        {
            await PredictFails(model, columns, Pandas);
        }
        else
        {
            Assert.Single(await Predict(model, columns, Pandas));
        }
    }

    [Theory]
    [InlineData("pandas_categorical:[[\"a\", ", "not valid JSON")]
    [InlineData("pandas_categorical:7", "neither null nor a list")]
    public async Task PandasCategoricalLine_Invalid_FailsAtLoadNamingTheFile(string line, string expected)
    {
        using var dir = new TempDirectory();
        var text = await File.ReadAllTextAsync(Fixture("feature_names")) + "\n" + line + "\n";
        var error = await Assert.ThrowsAsync<ModelLoadException>(async () => await LoadText(dir, text));
        Assert.Contains(dir.File("model.bst"), error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// lgbserver hands LightGBM a numpy array; <c>Booster.predict</c> copies a non-float one to float32 first, so the
    /// INT64 value 16777217 arrives as 16777216. A single split at 16777216.5 tells the two apart.
    /// </summary>
    [Fact]
    public async Task IntegerMatrix_IsRoundedToFloat32_AsBoosterPredictDoes_ButPdColumnsAreNot()
    {
        const string Model = """
            tree
            version=v4
            num_class=1
            num_tree_per_iteration=1
            label_index=0
            max_feature_idx=0
            objective=regression
            feature_names=x

            Tree=0
            num_leaves=2
            num_cat=0
            split_feature=0
            threshold=16777216.5
            decision_type=2
            left_child=-1
            right_child=-2
            leaf_value=1 2
            shrinkage=1


            end of trees
            """;
        using var dir = new TempDirectory();
        await using var model = await LoadText(dir, Model.ReplaceLineEndings("\n"));
        Assert.Equal(new[] { 1.0 }, await Predict(model, [new Tensor("input-0", TensorDataType.Int64, [1, 1], new[] { 16777217L })]));
        Assert.Equal(new[] { 2.0 }, await Predict(model, [new Tensor("input-0", TensorDataType.FP64, [1, 1], new[] { 16777217.0 })]));

        // A DataFrame column of int64 goes to LightGBM as float64 (np.result_type with float32): not rounded.
        Assert.Equal(new[] { 2.0 }, await Predict(model, [new Tensor("x", TensorDataType.Int64, [1], new[] { 16777217L })], Pandas));
    }
}
