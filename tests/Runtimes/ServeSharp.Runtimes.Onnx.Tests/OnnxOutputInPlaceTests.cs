using System.Runtime.InteropServices;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx.Tests;

/// <summary>
/// Outputs written straight into the response's arrays (<see cref="OnnxOutputShape"/>) must give exactly what the
/// copying path gives, and a graph that breaks its declared output shapes must still be answered correctly.
/// </summary>
public sealed class OnnxOutputInPlaceTests
{
    public static TheoryData<string> Fixtures() => ["linear", "iris", "iris-proba", "two_inputs", "fixed_shape", "all_types"];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Predict_InPlaceAndCopiedOutputs_AreTheSameBits(string fixture)
    {
        await using var loaded = await OnnxFixtures.LoadAsync(fixture);
        var model = (OnnxModel)loaded;
        var request = new InferenceRequest(fixture, [.. model.Metadata.Inputs.Select(Input)]);

        Assert.True(model.WritesOutputsInPlace);
        var inPlace = await model.PredictAsync(request);
        Assert.True(model.WritesOutputsInPlace);
        model.WritesOutputsInPlace = false;
        var copied = await model.PredictAsync(request);

        Assert.Equal(copied.Outputs.Count, inPlace.Outputs.Count);
        for (var i = 0; i < copied.Outputs.Count; i++)
        {
            var (a, b) = (copied.Outputs[i], inPlace.Outputs[i]);
            Assert.Equal(a.Name, b.Name);
            Assert.Equal(a.DataType, b.DataType);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.Data.GetType(), b.Data.GetType());
            if (a.DataType == TensorDataType.Bytes)
            {
                Assert.Equal((byte[][])a.Data, (byte[][])b.Data);
            }
            else
            {
                Assert.Equal(Bits(a), Bits(b));
            }
        }
    }

    [Fact]
    public async Task Predict_OutputBreakingItsDeclaredShape_IsAnsweredWithItsRealShape()
    {
        await using var loaded = await OnnxFixtures.LoadAsync("declared_shapes");
        var model = (OnnxModel)loaded;
        var x = Tensor.Create("x", [3, 2], new[] { 1f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 6.8f });

        // "rows" keeps its declared [N,2]: written in place, and the model keeps doing so.
        var rows = await model.PredictAsync(new InferenceRequest("declared_shapes", [x]) { Outputs = [new RequestedOutput("rows")] });
        Assert.Equal([3L, 2], Assert.Single(rows.Outputs).Shape);
        Assert.Equal(Bits(x), Bits(rows.Outputs[0]));
        Assert.True(model.WritesOutputsInPlace);

        // "flat" is declared [N] but holds 2N values: the run into a [3] buffer fails, the copying run answers, and
        // the model stops writing in place.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var both = await model.PredictAsync(new InferenceRequest("declared_shapes", [x])
            {
                Outputs = [new RequestedOutput("flat"), new RequestedOutput("rows")],
            });
            Assert.Equal(["flat", "rows"], both.Outputs.Select(o => o.Name));
            Assert.Equal([6L], both.Outputs[0].Shape);
            Assert.Equal([3L, 2], both.Outputs[1].Shape);
            Assert.All(both.Outputs, o => Assert.Equal(Bits(x), Bits(o)));
            Assert.False(model.WritesOutputsInPlace);
        }
    }

    [Fact]
    public async Task Predict_OutputNamedByNoInput_IsCopied()
    {
        await using var loaded = await OnnxFixtures.LoadAsync("declared_shapes");
        var model = (OnnxModel)loaded;
        var x = Tensor.Create("x", [2, 2], new[] { 1f, 2f, 3f, 4f });
        var free = await model.PredictAsync(new InferenceRequest("declared_shapes", [x]) { Outputs = [new RequestedOutput("free")] });
        Assert.Equal([4L], Assert.Single(free.Outputs).Shape);
        Assert.Equal([1f, 2f, 3f, 4f], free.Outputs[0].GetData<float>());
        Assert.True(model.WritesOutputsInPlace); // no plan for "free": nothing was tried, nothing turned off
    }

    [Fact]
    public async Task Predict_InputsDisagreeingOnANamedDimension_AreCopied()
    {
        // two_inputs declares a [N,2] and b [N,2]; with N = 1 and 2 the graph broadcasts to [2,2]. There is no
        // single N to size the outputs by, so nothing is tried in place (and nothing turned off).
        await using var loaded = await OnnxFixtures.LoadAsync("two_inputs");
        var model = (OnnxModel)loaded;
        var request = OnnxFixtures.Request(
            "two_inputs", Tensor.Create("a", [1, 2], new[] { 1f, 2f }), Tensor.Create("b", [2, 2], new[] { 1f, 2f, 3f, 4f }));
        var response = await model.PredictAsync(request);
        Assert.Equal([2L, 2], response.Outputs[0].Shape);
        Assert.Equal([2f, 4f, 4f, 6f], response.Outputs[0].GetData<float>());
        Assert.True(model.WritesOutputsInPlace);
    }

    [Fact]
    public void OutputShape_FixedAndNamedDimensions_ResolveFromTheBoundInputs()
    {
        var inputs = new List<(long[], string[])> { ([-1, 4], ["N", ""]), ([-1, -1], ["N", "K"]) };
        var plan = OnnxOutputShape.TryCreate(TensorDataType.FP32, [-1, 3, -1], ["N", "", "K"], inputs);
        Assert.NotNull(plan);
        Assert.Equal([5L, 3, 7], plan.Resolve([[5, 4], [5, 7]])!);
        Assert.Null(plan.Resolve([[5, 4], [6, 7]])); // N is 5 and 6
    }

    [Theory]
    [InlineData(TensorDataType.FP32, new long[] { -1 }, new[] { "" })] // unnamed dynamic dimension
    [InlineData(TensorDataType.FP32, new long[] { -1 }, new[] { "M" })] // no input has M
    [InlineData(TensorDataType.Bytes, new long[] { -1 }, new[] { "N" })] // strings are never written in place
    public void OutputShape_WithoutAKnowableShape_HasNoPlan(TensorDataType dataType, long[] dims, string[] symbols)
    {
        var inputs = new List<(long[], string[])> { ([-1, 4], ["N", ""]) };
        Assert.Null(OnnxOutputShape.TryCreate(dataType, dims, symbols, inputs));
    }

    private static Tensor Input(TensorMetadata metadata)
    {
        // Dynamic dimensions become 2; values cycle through awkward ones (NaN, ±Inf, -0, extremes) for float types.
        var shape = metadata.Shape.Select(d => d < 0 ? 2L : d).ToArray();
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        double[] values = [6.8, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300, -2.5, 3];
        double[] whole = [1, 0, 7, 127, 2, 1, 3, 100];
        return metadata.DataType switch
        {
            TensorDataType.Bool => Tensor.Create(metadata.Name, shape, Enumerable.Range(0, count).Select(i => i % 3 == 0).ToArray()),
            TensorDataType.FP32 => Tensor.Create(metadata.Name, shape, Enumerable.Range(0, count).Select(i => (float)values[i % 8]).ToArray()),
            TensorDataType.FP64 => Tensor.Create(metadata.Name, shape, Enumerable.Range(0, count).Select(i => values[i % 8]).ToArray()),
            TensorDataType.FP16 => Tensor.Create(metadata.Name, shape, Enumerable.Range(0, count).Select(i => (Half)values[i % 8]).ToArray()),
            TensorDataType.BF16 => new Tensor(metadata.Name, TensorDataType.BF16, shape, Enumerable.Range(0, count).Select(i => (ushort)(0x3F80 + i)).ToArray()),
            TensorDataType.Bytes => new Tensor(metadata.Name, TensorDataType.Bytes, shape, Enumerable.Range(0, count).Select(i => new[] { (byte)i }).ToArray()),
            TensorDataType.Int64 => Tensor.Create(metadata.Name, shape, Enumerable.Range(0, count).Select(i => i % 2 == 0 ? long.MaxValue - i : long.MinValue + i).ToArray()),
            _ => new Tensor(metadata.Name, TensorDataType.FP64, shape, Enumerable.Range(0, count).Select(i => whole[i % 8]).ToArray()),
        };
    }

    private static byte[] Bits(Tensor tensor)
    {
        var size = (int)tensor.ElementCount * tensor.DataType.ElementSize();
        var bytes = new byte[size];
        var pin = GCHandle.Alloc(tensor.Data, GCHandleType.Pinned);
        try
        {
            Marshal.Copy(pin.AddrOfPinnedObject(), bytes, 0, size);
        }
        finally
        {
            pin.Free();
        }

        return bytes;
    }
}
