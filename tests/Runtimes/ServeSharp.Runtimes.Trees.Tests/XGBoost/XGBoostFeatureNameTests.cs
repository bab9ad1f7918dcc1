using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.XGBoost;

namespace ServeSharp.Runtimes.Trees.Tests.XGBoost;

/// <summary>
/// A booster with feature_names (fixture "feature_names", trained by XGBoost 1.7.4 on a DataFrame): <c>pd</c> columns
/// are matched by name, and columns that are not the feature names get XGBoost's own error text as a 400.
/// </summary>
public sealed class XGBoostFeatureNameTests
{
    private static readonly InferParameters Pandas = new() { ["content_type"] = InferParameter.FromString("pd") };

    public static TheoryData<string> Formats() => new("json", "ubj");

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PandasColumns_InAnyOrder_AreMatchedByName(string format)
    {
        using var expected = FixtureCases.Expected("xgboost", "feature_names");
        var names = Names(expected);
        var rows = FixtureCases.Rows(expected.RootElement.GetProperty("rows"));
        var bits = expected.RootElement.GetProperty("predictions").GetProperty(format).GetProperty("float32_bits")
            .EnumerateArray().Select(e => e.GetUInt32()).ToArray();
        await using var model = await Load(format);

        foreach (var order in new[] { Enumerable.Range(0, names.Length).ToArray(), Enumerable.Range(0, names.Length).Reverse().ToArray() })
        {
            var request = new InferenceRequest("m", order.Select(i => Column(rows, i, names[i])).ToArray()) { Parameters = Pandas };
            var actual = (await model.PredictAsync(request, default)).Outputs[0].GetData<float>();
            // XGBoost itself rejects reordered columns; ServeSharp reorders them, so the answer must be the reference's.
            Assert.Equal(bits, actual.Select(BitConverter.SingleToUInt32Bits));
        }
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("renamed")]
    public async Task PandasColumns_NotTheFeatureNames_GetXGBoostsMessage(string kind)
    {
        using var expected = FixtureCases.Expected("xgboost", "feature_names");
        var error = expected.RootElement.GetProperty("errors").GetProperty(kind);
        var columns = error.GetProperty("columns").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var rows = FixtureCases.Rows(expected.RootElement.GetProperty("rows"));
        await using var model = await Load("json");

        var request = new InferenceRequest("m", columns.Select((name, i) => Column(rows, i, name)).ToArray()) { Parameters = Pandas };
        var thrown = await Assert.ThrowsAsync<InferenceException>(() => model.PredictAsync(request, default).AsTask());
        Assert.Equal(InferenceErrorKind.InvalidInput, thrown.Kind);
        Assert.Equal(error.GetProperty("message").GetString(), thrown.Message);
    }

    [Fact]
    public async Task PandasColumns_DuplicatedName_IsRejected()
    {
        using var expected = FixtureCases.Expected("xgboost", "feature_names");
        var names = Names(expected);
        var rows = FixtureCases.Rows(expected.RootElement.GetProperty("rows"));
        await using var model = await Load("json");
        var columns = names.Select((name, i) => Column(rows, i, i == 4 ? names[0] : name)).ToArray();

        var thrown = await Assert.ThrowsAsync<InferenceException>(
            () => model.PredictAsync(new InferenceRequest("m", columns) { Parameters = Pandas }, default).AsTask());
        Assert.Contains("expected f4 in input data", thrown.Message, StringComparison.Ordinal);
    }

    private static string[] Names(JsonDocument expected) =>
        expected.RootElement.GetProperty("feature_names").EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static Tensor Column(Tensor rows, int feature, string name)
    {
        var width = (int)rows.Shape[1];
        var data = rows.GetData<double>();
        var column = Enumerable.Range(0, (int)rows.Shape[0]).Select(r => data[r * width + feature]).ToArray();
        return new Tensor(name, TensorDataType.FP64, [column.Length], column);
    }

    private static async Task<IModel> Load(string format)
    {
        using var dir = FixtureCases.DirectoryWith(Path.Combine(FixtureCases.Root("xgboost"), "feature_names", "model." + format));
        return await new XGBoostRuntime().LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = dir.Path }, default);
    }
}
