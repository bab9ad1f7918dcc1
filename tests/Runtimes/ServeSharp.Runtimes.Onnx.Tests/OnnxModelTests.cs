using System.Text;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx.Tests;

public sealed class OnnxModelTests
{
    private static readonly System.Text.Json.JsonElement Linear = OnnxFixtures.Expected.GetProperty("linear");
    private static readonly System.Text.Json.JsonElement Iris = OnnxFixtures.Expected.GetProperty("iris");

    [Fact]
    public async Task Predict_LinearFp32_MatchesNumpy()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear");
        var response = await model.PredictAsync(new InferenceRequest("linear", [LinearInput()]) { Id = "r1" });

        Assert.Equal("r1", response.Id);
        Assert.Equal("linear", response.ModelName);
        Assert.Equal(["logits", "probabilities", "label"], response.Outputs.Select(o => o.Name));
        AssertClose(Linear.GetProperty("logits"), response.Outputs[0]);
        AssertClose(Linear.GetProperty("probabilities"), response.Outputs[1]);
        var label = response.Outputs[2];
        Assert.Equal(TensorDataType.Int64, label.DataType);
        Assert.Equal([5L], label.Shape);
        Assert.Equal(OnnxFixtures.Longs(Linear.GetProperty("label").GetProperty("data")), label.GetData<long>());
    }

    [Fact]
    public async Task Predict_Fp64Input_IsCoercedToTheModelsFp32()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear");
        var input = Linear.GetProperty("input");
        var fp64 = Tensor.Create("x", OnnxFixtures.Longs(input.GetProperty("shape")), OnnxFixtures.Doubles(input.GetProperty("data")));
        var response = await model.PredictAsync(OnnxFixtures.Request("linear", fp64));
        AssertClose(Linear.GetProperty("logits"), response.Outputs[0]);
    }

    [Fact]
    public async Task Predict_RequestedOutputs_OnlyThoseInRequestOrder()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear");
        var request = new InferenceRequest("linear", [LinearInput()])
        {
            Outputs = [new RequestedOutput("label"), new RequestedOutput("logits"), new RequestedOutput("label")],
        };
        var response = await model.PredictAsync(request);
        Assert.Equal(["label", "logits"], response.Outputs.Select(o => o.Name));
        AssertClose(Linear.GetProperty("logits"), response.Outputs[1]);
    }

    [Fact]
    public async Task Predict_UnknownRequestedOutput_IsInvalidInput()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear");
        var request = new InferenceRequest("linear", [LinearInput()]) { Outputs = [new RequestedOutput("nope")] };
        var error = await AssertInvalidInputAsync(model, request);
        Assert.StartsWith("Unexpected inference output 'nope' for model 'linear'.", error.Message);
        Assert.Contains("'probabilities'", error.Message);
    }

    [Fact]
    public async Task Predict_V1SingleInput_FeedsTheFirstGraphInput()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear");
        var input = Linear.GetProperty("input");
        var v1 = Tensor.Create("input-0", OnnxFixtures.Longs(input.GetProperty("shape")), OnnxFixtures.Doubles(input.GetProperty("data")));
        var response = await model.PredictAsync(new InferenceRequest("linear", [v1]) { Protocol = InferenceProtocol.V1 });
        AssertClose(Linear.GetProperty("logits"), response.Outputs[0]);
    }

    [Fact]
    public async Task Predict_V2WrongInputName_IsInvalidInputListingTheInputs()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear");
        var request = OnnxFixtures.Request("linear", Tensor.Create("input-0", [1, 4], new float[4]));
        var error = await AssertInvalidInputAsync(model, request);
        Assert.Equal("Model 'linear' has no input named 'input-0'. Its inputs are: 'x' (FP32 [-1,4]).", error.Message);
    }

    [Fact]
    public async Task Predict_IrisLabels_MatchSklearnPredictOnAllRows()
    {
        await using var model = await OnnxFixtures.LoadAsync("iris");
        var input = Iris.GetProperty("input");
        var rows = Tensor.Create("input-0", OnnxFixtures.Longs(input.GetProperty("shape")), OnnxFixtures.Doubles(input.GetProperty("data")));
        var response = await model.PredictAsync(new InferenceRequest("iris", [rows]) { Protocol = InferenceProtocol.V1 });
        var output = Assert.Single(response.Outputs);
        Assert.Equal("output-0", output.Name);
        Assert.Equal(OnnxFixtures.Longs(Iris.GetProperty("predict")), output.GetData<long>());
    }

    [Fact]
    public async Task Predict_KServeIrisRequest_AnswersOneOne()
    {
        await using var model = await OnnxFixtures.LoadAsync("iris");
        var instances = Tensor.Create("input-0", [2, 4], new[] { 6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6 });
        var response = await model.PredictAsync(new InferenceRequest("iris", [instances]) { Protocol = InferenceProtocol.V1 });
        var output = Assert.Single(response.Outputs);
        Assert.Equal(TensorDataType.Int64, output.DataType);
        Assert.Equal([2L], output.Shape);
        Assert.Equal(OnnxFixtures.Longs(Iris.GetProperty("kserve_request").GetProperty("predictions")), output.GetData<long>());
        Assert.Equal([1L, 1L], output.GetData<long>());
    }

    [Fact]
    public async Task Predict_IrisProbabilities_MatchSklearnPredictProba()
    {
        await using var model = await OnnxFixtures.LoadAsync("iris-proba");
        var input = Iris.GetProperty("input");
        var rows = Tensor.Create("input-0", OnnxFixtures.Longs(input.GetProperty("shape")), OnnxFixtures.Doubles(input.GetProperty("data")));
        var response = await model.PredictAsync(OnnxFixtures.Request("iris", rows));
        var output = Assert.Single(response.Outputs);
        Assert.Equal([150L, 3], output.Shape);
        var expected = OnnxFixtures.Doubles(Iris.GetProperty("predict_proba"));
        var actual = output.ToDoubleArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), p => Assert.InRange(p.Second, p.First - 1e-5, p.First + 1e-5));
    }

    public static TheoryData<Tensor> AllTypeInputs() =>
    [
        Tensor.Create("in_BOOL", [2, 2], new[] { true, false, false, true }),
        Tensor.Create("in_UINT8", [2, 2], new byte[] { 0, 1, 128, 255 }),
        Tensor.Create("in_UINT16", [2, 2], new ushort[] { 0, 1, 40000, ushort.MaxValue }),
        Tensor.Create("in_UINT32", [2, 2], new uint[] { 0, 1, 3_000_000_000, uint.MaxValue }),
        Tensor.Create("in_UINT64", [2, 2], new ulong[] { 0, 1, 1UL << 63, ulong.MaxValue }),
        Tensor.Create("in_INT8", [2, 2], new sbyte[] { sbyte.MinValue, -1, 1, sbyte.MaxValue }),
        Tensor.Create("in_INT16", [2, 2], new short[] { short.MinValue, -1, 1, short.MaxValue }),
        Tensor.Create("in_INT32", [2, 2], new[] { int.MinValue, -1, 1, int.MaxValue }),
        Tensor.Create("in_INT64", [2, 2], new[] { long.MinValue, -1, 1, long.MaxValue }),
        Tensor.Create("in_FP16", [2, 2], new[] { (Half)6.8, (Half)(-2.5), Half.MaxValue, Half.Epsilon }),
        Tensor.Create("in_FP32", [2, 2], new[] { 6.8f, -2.5f, float.MaxValue, float.Epsilon }),
        Tensor.Create("in_FP64", [2, 2], new[] { 6.8, -2.5, double.MaxValue, double.Epsilon }),
        new Tensor("in_BYTES", TensorDataType.Bytes, [2, 2], new[] { "ab"u8.ToArray(), Array.Empty<byte>(), Encoding.UTF8.GetBytes("żółw"), new byte[] { 0xFF, 0x00, 0xFE } }),
        new Tensor("in_BF16", TensorDataType.BF16, [2, 2], new ushort[] { 0x3F80, 0xC020, 0x7F7F, 0x0001 }),
    ];

    [Theory]
    [MemberData(nameof(AllTypeInputs))]
    public async Task Predict_EveryDatatype_RoundTripsThroughIdentity(Tensor input)
    {
        await using var model = await OnnxFixtures.LoadAsync("all_types");
        var wire = input.DataType.ToWireName();
        var inputs = model.Metadata.Inputs
            .Select(i => i.Name == input.Name ? input : Zeros(i))
            .ToArray();
        var request = new InferenceRequest("all_types", inputs) { Outputs = [new RequestedOutput("out_" + wire)] };
        var response = await model.PredictAsync(request);

        var output = Assert.Single(response.Outputs);
        Assert.Equal("out_" + wire, output.Name);
        Assert.Equal(input.DataType, output.DataType);
        Assert.Equal(input.Shape, output.Shape);
        if (input.DataType == TensorDataType.Bytes)
        {
            Assert.Equal((byte[][])input.Data, (byte[][])output.Data);
        }
        else
        {
            Assert.Equal(input.Data.Cast<object>(), output.Data.Cast<object>());
        }
    }

    [Fact]
    public async Task Predict_FixedShapeInt32_AcceptsWholeNumbersOfAnyNumericType()
    {
        await using var model = await OnnxFixtures.LoadAsync("fixed_shape");
        foreach (var input in new[]
                 {
                     Tensor.Create("x", [2, 3], new long[] { 1, 2, 3, 4, 5, -6 }),
                     Tensor.Create("x", [2, 3], new[] { 1.0, 2, 3, 4, 5, -6 }),
                     Tensor.Create("x", [6], new[] { 1, 2, 3, 4, 5, -6 }),
                 })
        {
            var response = await model.PredictAsync(OnnxFixtures.Request("fixed_shape", input));
            var y = Assert.Single(response.Outputs);
            Assert.Equal([2L, 3], y.Shape);
            Assert.Equal([2, 4, 6, 8, 10, -12], y.GetData<int>());
        }
    }

    [Theory]
    [InlineData(2.5, "element 1 (2.5) is not a whole number for INT32")]
    [InlineData(double.NaN, "element 1 (NaN) is not a whole number for INT32")]
    [InlineData(3e9, "element 1 (3000000000) is out of range for INT32")]
    public async Task Predict_ValueThatDoesNotFitInt32_IsInvalidInput(double value, string expected)
    {
        await using var model = await OnnxFixtures.LoadAsync("fixed_shape");
        var input = Tensor.Create("x", [2, 3], new[] { 1.0, value, 3, 4, 5, 6 });
        var error = await AssertInvalidInputAsync(model, OnnxFixtures.Request("fixed_shape", input));
        Assert.Equal($"Input 'x' of model 'fixed_shape' expects INT32 values, but {expected}.", error.Message);
    }

    [Fact]
    public async Task Predict_Int64OutOfInt32Range_IsInvalidInput()
    {
        await using var model = await OnnxFixtures.LoadAsync("fixed_shape");
        var input = Tensor.Create("x", [2, 3], new long[] { 1, 2, 3, 4, 5, long.MaxValue });
        var error = await AssertInvalidInputAsync(model, OnnxFixtures.Request("fixed_shape", input));
        Assert.Contains("element 5 (9223372036854775807) is out of range for INT32", error.Message);
    }

    [Theory]
    [InlineData(new long[] { 3, 2 })]
    [InlineData(new long[] { 1, 6 })]
    [InlineData(new long[] { 2, 2 })]
    public async Task Predict_ShapeThatDoesNotFitFixedDims_IsInvalidInput(long[] shape)
    {
        await using var model = await OnnxFixtures.LoadAsync("fixed_shape");
        var input = Tensor.Create("x", shape, new int[Tensor.GetElementCount(shape)]);
        var error = await AssertInvalidInputAsync(model, OnnxFixtures.Request("fixed_shape", input));
        Assert.Contains($"has shape [{string.Join(',', shape)}]", error.Message);
        Assert.Contains("expects input 'x' with shape [2,3]", error.Message);
    }

    [Theory]
    [InlineData(new long[] { 2, 3 })]
    [InlineData(new long[] { 8 })]
    [InlineData(new long[] { 2, 2, 2 })]
    public async Task Predict_WrongFeatureCount_IsInvalidInputWithExpectedShape(long[] shape)
    {
        await using var model = await OnnxFixtures.LoadAsync("iris");
        var input = Tensor.Create("input-0", shape, new double[Tensor.GetElementCount(shape)]);
        var error = await AssertInvalidInputAsync(model, new InferenceRequest("iris", [input]) { Protocol = InferenceProtocol.V1 });
        Assert.Equal(
            $"Input 'input-0' has shape [{string.Join(',', shape)}] ({Tensor.GetElementCount(shape)} values) but model 'iris' " +
            "expects input 'input-0' with shape [-1,4] (-1 = any size).",
            error.Message);
    }

    [Fact]
    public async Task Predict_EmptyBatch_ReturnsEmptyOutputs()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear");
        var response = await model.PredictAsync(OnnxFixtures.Request("linear", Tensor.Create("x", [0, 4], Array.Empty<float>())));
        Assert.Equal([0L, 3], response.Outputs[0].Shape);
        Assert.Equal([0L], response.Outputs[2].Shape);
    }

    [Fact]
    public async Task Predict_TwoInputsByName_InAnyOrder()
    {
        await using var model = await OnnxFixtures.LoadAsync("two_inputs");
        var response = await model.PredictAsync(OnnxFixtures.Request(
            "two_inputs",
            Tensor.Create("b", [1, 2], new[] { 1f, 2f }),
            Tensor.Create("a", [1, 2], new[] { 10f, 20f })));
        Assert.Equal([11f, 22f], response.Outputs.Single(o => o.Name == "sum").GetData<float>());
        Assert.Equal([9f, 18f], response.Outputs.Single(o => o.Name == "difference").GetData<float>());
    }

    [Fact]
    public async Task Predict_MissingInput_IsInvalidInputNamingIt()
    {
        await using var model = await OnnxFixtures.LoadAsync("two_inputs");
        var error = await AssertInvalidInputAsync(model, OnnxFixtures.Request("two_inputs", Tensor.Create("a", [1, 2], new[] { 1f, 2f })));
        Assert.Equal(
            "Input 'b' (FP32 [-1,2]) of model 'two_inputs' is missing from the request. " +
            "The model needs 2 input(s): 'a' (FP32 [-1,2]), 'b' (FP32 [-1,2]).",
            error.Message);
    }

    [Fact]
    public async Task Predict_V1AgainstTwoInputModel_ExplainsV1CarriesOneInput()
    {
        await using var model = await OnnxFixtures.LoadAsync("two_inputs");
        var request = new InferenceRequest("two_inputs", [Tensor.Create("input-0", [1, 2], new[] { 1.0, 2.0 })]) { Protocol = InferenceProtocol.V1 };
        var error = await AssertInvalidInputAsync(model, request);
        Assert.Contains("Input 'b'", error.Message);
        Assert.EndsWith("A V1 request carries a single input; send several inputs with the V2 protocol.", error.Message);
    }

    [Fact]
    public async Task Predict_DuplicateInput_IsInvalidInput()
    {
        await using var model = await OnnxFixtures.LoadAsync("two_inputs");
        var a = Tensor.Create("a", [1, 2], new[] { 1f, 2f });
        var error = await AssertInvalidInputAsync(model, OnnxFixtures.Request("two_inputs", a, a));
        Assert.Equal("Input 'a' appears more than once in the request.", error.Message);
    }

    [Fact]
    public async Task Predict_NoInputs_IsInvalidInput()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear");
        var error = await AssertInvalidInputAsync(model, OnnxFixtures.Request("linear"));
        Assert.StartsWith("Input 'x' (FP32 [-1,4]) of model 'linear' is missing", error.Message);
    }

    [Fact]
    public async Task Predict_BytesForNumericInput_IsInvalidInput()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear");
        var input = Tensor.FromStrings("x", [1, 4], ["a", "b", "c", "d"]);
        var error = await AssertInvalidInputAsync(model, OnnxFixtures.Request("linear", input));
        Assert.Equal("Input 'x' of model 'linear' must be FP32 numbers, not BYTES.", error.Message);
    }

    [Fact]
    public async Task Predict_NumbersForStringInput_IsInvalidInput()
    {
        await using var model = await OnnxFixtures.LoadAsync("all_types");
        var inputs = model.Metadata.Inputs
            .Select(i => i.DataType == TensorDataType.Bytes ? Tensor.Create(i.Name, [1, 2], new[] { 1.0, 2.0 }) : Zeros(i, 1))
            .ToArray();
        var error = await AssertInvalidInputAsync(model, new InferenceRequest("all_types", inputs));
        Assert.StartsWith("Input 'in_BYTES' of model 'all_types' must be BYTES", error.Message);
    }

    [Fact]
    public async Task Predict_NumbersForBoolInput_AcceptOnlyZeroAndOne()
    {
        await using var model = await OnnxFixtures.LoadAsync("all_types");
        Tensor[] Inputs(double[] values) => model.Metadata.Inputs
            .Select(i => i.DataType == TensorDataType.Bool ? Tensor.Create(i.Name, [1, 2], values) : Zeros(i, 1))
            .ToArray();

        var ok = await model.PredictAsync(new InferenceRequest("all_types", Inputs([1, 0])) { Outputs = [new RequestedOutput("out_BOOL")] });
        Assert.Equal([true, false], Assert.Single(ok.Outputs).GetData<bool>());
        var error = await AssertInvalidInputAsync(model, new InferenceRequest("all_types", Inputs([1, 2])));
        Assert.Contains("element 1 (2) is neither 0 nor 1 for BOOL", error.Message);
    }

    [Fact]
    public async Task Predict_Fp64ForBf16Input_RoundsToNearestEven()
    {
        await using var model = await OnnxFixtures.LoadAsync("all_types");
        var inputs = model.Metadata.Inputs
            .Select(i => i.DataType == TensorDataType.BF16 ? Tensor.Create(i.Name, [2, 2], new[] { 1.0, -2.5, 1.00390625, 1.01171875 }) : Zeros(i))
            .ToArray();
        var response = await model.PredictAsync(new InferenceRequest("all_types", inputs) { Outputs = [new RequestedOutput("out_BF16")] });

        // 1 + 2^-8 and 1 + 3 * 2^-8 lie halfway between two bfloat16 values: ties go to the even one.
        Assert.Equal(new ushort[] { 0x3F80, 0xC020, 0x3F80, 0x3F82 }, Assert.Single(response.Outputs).GetData<ushort>());
    }

    [Fact]
    public async Task Predict_SequenceOutputRequested_IsInvalidInput()
    {
        await using var model = await OnnxFixtures.LoadAsync("sequence_output");
        var request = new InferenceRequest("s", [Tensor.Create("x", [2], new[] { 1f, 2f })]) { Outputs = [new RequestedOutput("seq")] };
        var error = await AssertInvalidInputAsync(model, request);
        Assert.Contains("Unexpected inference output 'seq'", error.Message);
        var all = await model.PredictAsync(new InferenceRequest("s", [Tensor.Create("x", [2], new[] { 1f, 2f })]));
        Assert.Equal([1f, 2f], Assert.Single(all.Outputs).GetData<float>());
    }

    [Fact]
    public async Task Predict_ConcurrentCallers_EachGetTheirOwnAnswer()
    {
        await using var model = await OnnxFixtures.LoadAsync("two_inputs");
        var tasks = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            for (var j = 0; j < 20; j++)
            {
                var a = Tensor.Create("a", [1, 2], new[] { (double)i, j });
                var b = Tensor.Create("b", [1, 2], new[] { 1f, 1f });
                var response = await model.PredictAsync(OnnxFixtures.Request("two_inputs", a, b));
                Assert.Equal([i + 1f, j + 1f], response.Outputs[0].GetData<float>());
            }
        }));
        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Predict_AfterDispose_IsModelNotReady()
    {
        var model = await OnnxFixtures.LoadAsync("linear");
        await model.DisposeAsync();
        await model.DisposeAsync();
        var error = await Assert.ThrowsAsync<InferenceException>(() => model.PredictAsync(OnnxFixtures.Request("linear", LinearInput())));
        Assert.Equal(InferenceErrorKind.ModelNotReady, error.Kind);
    }

    [Fact]
    public async Task Predict_CancelledToken_Throws()
    {
        await using var model = await OnnxFixtures.LoadAsync("linear");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => model.PredictAsync(OnnxFixtures.Request("linear", LinearInput()), new CancellationToken(true)).AsTask());
    }

    private static Tensor LinearInput()
    {
        var input = Linear.GetProperty("input");
        var data = OnnxFixtures.Doubles(input.GetProperty("data")).Select(d => (float)d).ToArray();
        return Tensor.Create("x", OnnxFixtures.Longs(input.GetProperty("shape")), data);
    }

    private static Tensor Zeros(TensorMetadata input, long rows = 2)
    {
        long[] shape = [rows, 2];
        var count = (int)(rows * 2);
        return input.DataType == TensorDataType.Bytes
            ? new Tensor(input.Name, TensorDataType.Bytes, shape, Enumerable.Repeat(Array.Empty<byte>(), count).ToArray())
            : new Tensor(input.Name, input.DataType, shape, Array.CreateInstance(input.DataType.ClrElementType(), count));
    }

    private static void AssertClose(System.Text.Json.JsonElement expected, Tensor actual)
    {
        Assert.Equal(TensorDataType.FP32, actual.DataType);
        Assert.Equal(OnnxFixtures.Longs(expected.GetProperty("shape")), actual.Shape);
        var want = OnnxFixtures.Doubles(expected.GetProperty("data"));
        var got = actual.GetData<float>();
        Assert.Equal(want.Length, got.Length);
        for (var i = 0; i < want.Length; i++)
        {
            Assert.True(Math.Abs(want[i] - got[i]) <= 1e-5 + (1e-5 * Math.Abs(want[i])), $"element {i}: expected {want[i]}, got {got[i]}");
        }
    }

    private static async Task<InferenceException> AssertInvalidInputAsync(IModel model, InferenceRequest request)
    {
        var error = await Assert.ThrowsAsync<InferenceException>(() => model.PredictAsync(request));
        Assert.Equal(InferenceErrorKind.InvalidInput, error.Kind);
        return error;
    }
}
