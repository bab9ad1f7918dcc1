using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.XGBoost;

namespace ServeSharp.Runtimes.Trees.Tests.XGBoost;

/// <summary>Every fixture model, in every saved format, predicts bit for bit what XGBoost 1.7.4 predicted.</summary>
public sealed class XGBoostFixtureTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in FixtureCases.CaseNames("xgboost"))
        {
            using var expected = FixtureCases.Expected("xgboost", name);
            foreach (var format in expected.RootElement.GetProperty("predictions").EnumerateObject())
            {
                data.Add(name, format.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Predict_MatchesXGBoostBitForBit(string caseName, string format)
    {
        using var expected = FixtureCases.Expected("xgboost", caseName);
        var reference = expected.RootElement.GetProperty("predictions").GetProperty(format);
        var shape = reference.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var bits = reference.GetProperty("float32_bits").EnumerateArray().Select(e => e.GetUInt32()).ToArray();
        using var dir = FixtureCases.DirectoryWith(Path.Combine(FixtureCases.Root("xgboost"), caseName, "model." + format));

        var runtime = new XGBoostRuntime();
        Assert.True(runtime.CanLoad(dir.Path));
        await using var model = await runtime.LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = dir.Path }, default);
        var input = FixtureCases.Rows(expected.RootElement.GetProperty("rows"));
        var response = await model.PredictAsync(new InferenceRequest("m", [input]), default);

        var output = Assert.Single(response.Outputs);
        Assert.Equal(TensorDataType.FP32, output.DataType);
        Assert.Equal(shape, output.Shape);
        var actual = output.GetData<float>();
        var mismatches = Enumerable.Range(0, bits.Length)
            .Where(i => BitConverter.SingleToUInt32Bits(actual[i]) != bits[i])
            .Select(i => $"[{i}] expected {BitConverter.UInt32BitsToSingle(bits[i]):R} got {actual[i]:R}")
            .Take(5)
            .ToArray();
        Assert.True(mismatches.Length == 0, $"{caseName}/{format}: " + string.Join("; ", mismatches));
    }

    public static TheoryData<string> CaseNames() => new(FixtureCases.CaseNames("xgboost"));

    /// <summary>The rows sent as FP32 (what XGBoost's DMatrix holds anyway) give the same bits as FP64.</summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task PredictFp32Rows_MatchesXGBoostBitForBit(string caseName)
    {
        using var expected = FixtureCases.Expected("xgboost", caseName);
        var reference = expected.RootElement.GetProperty("predictions").EnumerateObject().First();
        var bits = reference.Value.GetProperty("float32_bits").EnumerateArray().Select(e => e.GetUInt32()).ToArray();
        using var dir = FixtureCases.DirectoryWith(Path.Combine(FixtureCases.Root("xgboost"), caseName, "model." + reference.Name));
        await using var model = await new XGBoostRuntime().LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = dir.Path }, default);
        var rows = FixtureCases.Rows(expected.RootElement.GetProperty("rows"));
        var input = new Tensor(rows.Name, TensorDataType.FP32, rows.Shape, rows.GetData<double>().Select(v => (float)v).ToArray());

        var actual = (await model.PredictAsync(new InferenceRequest("m", [input]), default)).Outputs[0].GetData<float>();

        Assert.Equal(bits, actual.Select(BitConverter.SingleToUInt32Bits).ToArray());
    }

    /// <summary>One row per request takes the single-row path (trees walked in groups); it must give the batch's bits.</summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task PredictOneRowAtATime_EqualsBatchBitForBit(string caseName)
    {
        using var expected = FixtureCases.Expected("xgboost", caseName);
        var format = expected.RootElement.GetProperty("predictions").EnumerateObject().First().Name;
        using var dir = FixtureCases.DirectoryWith(Path.Combine(FixtureCases.Root("xgboost"), caseName, "model." + format));
        await using var model = await new XGBoostRuntime().LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = dir.Path }, default);
        var input = FixtureCases.Rows(expected.RootElement.GetProperty("rows"));
        var batch = (await model.PredictAsync(new InferenceRequest("m", [input]), default)).Outputs[0].GetData<float>();

        var single = new List<float>();
        foreach (var row in FixtureCases.SplitRows(input))
        {
            single.AddRange((await model.PredictAsync(new InferenceRequest("m", [row]), default)).Outputs[0].GetData<float>());
        }

        Assert.Equal(batch.Select(BitConverter.SingleToUInt32Bits), single.Select(BitConverter.SingleToUInt32Bits));
    }
}
