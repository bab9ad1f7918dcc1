using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.LightGbm;

namespace ServeSharp.Runtimes.Trees.Tests.LightGbm;

/// <summary>Every LightGBM fixture model predicts what lib_lightgbm 4.7.0 predicted, within 1e-12 relative.</summary>
public sealed class LightGbmFixtureTests
{
    public static TheoryData<string> Cases() => new(FixtureCases.CaseNames("lightgbm"));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Predict_MatchesLightGbm(string caseName)
    {
        using var expected = FixtureCases.Expected("lightgbm", caseName);
        var root = expected.RootElement;
        var shape = root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var reference = root.GetProperty("predictions").EnumerateArray()
            .Select(e => e.ValueKind == System.Text.Json.JsonValueKind.Null ? double.NaN : e.GetDouble()).ToArray();
        using var dir = FixtureCases.DirectoryWith(Path.Combine(FixtureCases.Root("lightgbm"), caseName, "model.txt"));

        var runtime = new LightGbmRuntime();
        Assert.True(runtime.CanLoad(dir.Path));
        await using var model = await runtime.LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = dir.Path }, default);
        var response = await model.PredictAsync(new InferenceRequest("m", [FixtureCases.Rows(root.GetProperty("rows"))]), default);

        var output = Assert.Single(response.Outputs);
        Assert.Equal(TensorDataType.FP64, output.DataType);
        Assert.Equal(shape, output.Shape);
        var actual = output.GetData<double>();
        var mismatches = Enumerable.Range(0, reference.Length)
            .Where(i => !Close(reference[i], actual[i]))
            .Select(i => $"[{i}] expected {reference[i]:R} got {actual[i]:R}")
            .Take(5)
            .ToArray();
        Assert.True(mismatches.Length == 0, $"{caseName}: " + string.Join("; ", mismatches));
    }

    /// <summary>One row per request takes the single-row path (trees walked in groups); it must give the batch's bits.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PredictOneRowAtATime_EqualsBatchBitForBit(string caseName)
    {
        using var expected = FixtureCases.Expected("lightgbm", caseName);
        using var dir = FixtureCases.DirectoryWith(Path.Combine(FixtureCases.Root("lightgbm"), caseName, "model.txt"));
        await using var model = await new LightGbmRuntime().LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = dir.Path }, default);
        var input = FixtureCases.Rows(expected.RootElement.GetProperty("rows"));
        var batch = (await model.PredictAsync(new InferenceRequest("m", [input]), default)).Outputs[0].GetData<double>();

        var single = new List<double>();
        foreach (var row in FixtureCases.SplitRows(input))
        {
            single.AddRange((await model.PredictAsync(new InferenceRequest("m", [row]), default)).Outputs[0].GetData<double>());
        }

        Assert.Equal(batch.Select(BitConverter.DoubleToInt64Bits), single.Select(BitConverter.DoubleToInt64Bits));
    }

    private static bool Close(double expected, double actual) =>
        (double.IsNaN(expected) && double.IsNaN(actual))
        || expected == actual
        || Math.Abs(expected - actual) <= 1e-12 * Math.Abs(expected);
}
