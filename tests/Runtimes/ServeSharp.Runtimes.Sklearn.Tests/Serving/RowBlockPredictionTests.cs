using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Tests.Estimators;

namespace ServeSharp.Runtimes.Sklearn.Tests.Serving;

/// <summary>
/// Large requests are predicted in row blocks (in parallel when the model is slow): the answer must be exactly the
/// answer row by row, in order, for every input datatype and thread count, and bad input must still be a clear
/// <see cref="InferenceException"/>.
/// </summary>
public sealed class RowBlockPredictionTests
{
    [Theory]
    [InlineData("logreg_bc", 1, false)]
    [InlineData("logreg_bc", 0, true)]
    [InlineData("rf_bc", 0, false)]
    [InlineData("rf_bc", 0, true)]
    [InlineData("hgb_bc", 4, true)]
    [InlineData("svc_rbf_bc", 0, false)]
    [InlineData("pipe_poly_ridge", 0, false)]
    public async Task LargeRequest_EqualsRowByRow(string name, int threads, bool proba)
    {
        var model = Load(name, threads);
        var (rows, width, data) = Tiled(name, copies: 8);

        var whole = (await model.PredictAsync(Request(rows, width, data, proba), CancellationToken.None)).Outputs[0];

        var perRow = new List<Tensor>();
        for (var i = 0; i < rows; i++)
        {
            var one = Request(1, width, data.AsSpan(i * width, width).ToArray(), proba);
            perRow.Add((await model.PredictAsync(one, CancellationToken.None)).Outputs[0]);
        }

        Assert.Equal(perRow[0].DataType, whole.DataType);
        Assert.Equal(rows, whole.Shape[0]);
        Assert.Equal(perRow[0].Shape[1..], whole.Shape[1..]);
        var perRowLength = perRow[0].Data.Length;
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < perRowLength; j++)
            {
                Assert.Equal(perRow[i].Data.GetValue(j), whole.Data.GetValue(i * perRowLength + j));
            }
        }
    }

    [Fact]
    public async Task LargeFp32Request_EqualsFp64RequestOfTheSameFloats()
    {
        var model = Load("rf_bc", 0);
        var (rows, width, data) = Tiled("rf_bc", copies: 4);
        var floats = data.Select(v => (float)v).ToArray();

        var fromFloats = await model.PredictAsync(
            new InferenceRequest("m", [Tensor.Create("input-0", [rows, width], floats)]), CancellationToken.None);
        var fromDoubles = await model.PredictAsync(
            new InferenceRequest("m", [Tensor.Create("input-0", [rows, width], floats.Select(f => (double)f).ToArray())]), CancellationToken.None);

        Assert.Equal(fromDoubles.Outputs[0].GetData<long>(), fromFloats.Outputs[0].GetData<long>());
    }

    [Fact]
    public async Task LargeRequest_NaNInLastRow_IsInvalidInput()
    {
        var model = Load("rf_bc", 0);
        var (rows, width, data) = Tiled("rf_bc", copies: 8);
        data[^1] = double.NaN;

        var ex = await Assert.ThrowsAsync<InferenceException>(
            async () => await model.PredictAsync(Request(rows, width, data, proba: false), CancellationToken.None));

        Assert.Contains("Input X contains NaN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LargeRequest_WrongFeatureCount_IsInvalidInput()
    {
        var model = Load("logreg_bc", 0);

        var ex = await Assert.ThrowsAsync<InferenceException>(
            async () => await model.PredictAsync(Request(1000, 29, new double[1000 * 29], proba: false), CancellationToken.None));

        Assert.Contains("expecting 30 features", ex.Message, StringComparison.Ordinal);
    }

    private static Sklearn.Serving.SklearnModel Load(string name, int threads) =>
        new SklearnRuntime().LoadFile(name, Path.Combine(FixturePaths.Models, name + ".joblib"), predictProba: false, intraOpThreads: threads);

    private static (int Rows, int Width, double[] Data) Tiled(string name, int copies)
    {
        var input = ExpectedOutputs.Load(name).BuildRequest().Inputs[0];
        var one = input.GetData<double>();
        var data = Enumerable.Repeat(one, copies).SelectMany(d => d).ToArray();
        return ((int)input.Shape[0] * copies, (int)input.Shape[1], data);
    }

    private static InferenceRequest Request(int rows, int width, double[] data, bool proba) =>
        new("m", [Tensor.Create("input-0", [rows, width], data)])
        {
            Parameters = new InferParameters { ["predict_proba"] = InferParameter.FromBool(proba) },
        };
}
