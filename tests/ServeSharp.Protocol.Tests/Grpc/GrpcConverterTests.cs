using Google.Protobuf;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Binary;
using ServeSharp.Protocol.Grpc;
using ServeSharp.Protocol.Grpc.Generated;
using InferParameter = ServeSharp.Abstractions.InferParameter;

namespace ServeSharp.Protocol.Tests.Grpc;

public sealed class GrpcConverterTests
{
    public static TheoryData<Tensor> AllTypedTensors => new()
    {
        Tensor.Create("bool", [3], new[] { true, false, true }),
        Tensor.Create("u8", [2], new byte[] { 0, 255 }),
        Tensor.Create("u16", [2], new ushort[] { 0, 65535 }),
        Tensor.Create("u32", [2], new uint[] { 0, uint.MaxValue }),
        Tensor.Create("u64", [2], new ulong[] { 0, ulong.MaxValue }),
        Tensor.Create("i8", [2], new sbyte[] { -128, 127 }),
        Tensor.Create("i16", [2], new short[] { -32768, 32767 }),
        Tensor.Create("i32", [2], new[] { int.MinValue, int.MaxValue }),
        Tensor.Create("i64", [2], new[] { long.MinValue, long.MaxValue }),
        Tensor.Create("f32", [2, 1], new[] { 6.8f, float.NaN }),
        Tensor.Create("f64", [2], new[] { 0.1, double.NegativeInfinity }),
        Tensor.FromStrings("s", [2], ["ab", ""]),
    };

    [Theory]
    [MemberData(nameof(AllTypedTensors))]
    public void TypedContents_RoundTripThroughResponseAndRequest(Tensor tensor)
    {
        var response = GrpcResponseConverter.ToGrpc(new InferenceResponse("m", [tensor]) { Id = "1" }, requestUsedRaw: false);
        Assert.Empty(response.RawOutputContents);
        var output = response.Outputs[0];
        var request = new ModelInferRequest { ModelName = "m" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = output.Name, Datatype = output.Datatype, Contents = output.Contents };
        input.Shape.Add(output.Shape);
        request.Inputs.Add(input);
        var back = GrpcRequestConverter.ToInferenceRequest(request).Inputs[0];
        Assert.Equal(tensor.DataType, back.DataType);
        Assert.Equal(tensor.Shape, back.Shape);
        Assert.Equal(BinaryTensorCodec.ToArray(tensor), BinaryTensorCodec.ToArray(back));
    }

    [Theory]
    [MemberData(nameof(AllTypedTensors))]
    public void RawContents_RoundTripByteExact(Tensor tensor)
    {
        var raw = BinaryTensorCodec.ToArray(tensor);
        var request = new ModelInferRequest { ModelName = "m" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = tensor.Name, Datatype = tensor.DataType.ToWireName() };
        input.Shape.Add(tensor.Shape);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(raw));
        var decoded = GrpcRequestConverter.ToInferenceRequest(request).Inputs[0];
        var response = GrpcResponseConverter.ToGrpc(new InferenceResponse("m", [decoded]), requestUsedRaw: true);
        Assert.Equal(raw, response.RawOutputContents[0].ToByteArray());
        Assert.Null(response.Outputs[0].Contents);
    }

    [Fact]
    public void Fp16Output_MakesEveryOutputRaw()
    {
        var response = GrpcResponseConverter.ToGrpc(
            new InferenceResponse("m", [Tensor.Create("h", [1], new[] { (Half)1 }), Tensor.Create("f", [1], new[] { 2f })]),
            requestUsedRaw: false);
        Assert.Equal(2, response.RawOutputContents.Count);
        Assert.All(response.Outputs, o => Assert.Null(o.Contents));
    }

    [Fact]
    public void RawCountMismatch_UsesKServeMessage()
    {
        var request = new ModelInferRequest { ModelName = "m" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "a", Datatype = "FP32", Shape = { 1 } });
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "b", Datatype = "FP32", Shape = { 1 } });
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[4]));
        var e = Assert.Throws<InferenceException>(() => GrpcRequestConverter.ToInferenceRequest(request));
        Assert.Equal("the number of inputs (2) does not match the expected number of raw input contents (1) for model 'm'.", e.Message);
    }

    [Fact]
    public void RawAndTypedMixed_UsesKServeMessage()
    {
        var request = new ModelInferRequest { ModelName = "m" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "a", Datatype = "FP32", Shape = { 1 }, Contents = new InferTensorContents() };
        input.Contents.Fp32Contents.Add(1f);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[4]));
        var e = Assert.Throws<InferenceException>(() => GrpcRequestConverter.ToInferenceRequest(request));
        Assert.Equal("contents field must not be specified when using raw_input_contents for input 'a' for model 'm'", e.Message);
    }

    [Theory]
    [InlineData("INT8", 300, "does not fit datatype INT8")]
    [InlineData("FP32", 0, "fp32_contents holds 0")]
    [InlineData("FP16", 0, "FP16 data has no typed contents field")]
    [InlineData("NOPE", 0, "unsupported datatype 'NOPE'")]
    public void BadTypedContents_Are400(string datatype, int intValue, string expected)
    {
        var request = new ModelInferRequest { ModelName = "m" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "a", Datatype = datatype, Shape = { 1 }, Contents = new InferTensorContents() };
        input.Contents.IntContents.Add(intValue);
        request.Inputs.Add(input);
        var e = Assert.Throws<InferenceException>(() => GrpcRequestConverter.ToInferenceRequest(request));
        Assert.Equal(InferenceErrorKind.InvalidInput, e.Kind);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FP16", TensorDataType.FP16)]
    [InlineData("BF16", TensorDataType.BF16)]
    public void EmptyTensor_OfADatatypeWithoutTypedContents_IsAccepted(string datatype, TensorDataType expected)
    {
        var request = new ModelInferRequest { ModelName = "m" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "a", Datatype = datatype, Shape = { 0 } });

        var input = GrpcRequestConverter.ToInferenceRequest(request).Inputs.Single();

        Assert.Equal(expected, input.DataType);
        Assert.Empty(input.Data);
        Assert.Equal(expected.ClrElementType(), input.Data.GetType().GetElementType());
    }

    [Fact]
    public void Parameters_AllFiveKindsRoundTrip()
    {
        var parameters = new InferParameters
        {
            ["b"] = InferParameter.FromBool(true),
            ["i"] = InferParameter.FromInt64(-3),
            ["s"] = InferParameter.FromString("x"),
            ["d"] = InferParameter.FromDouble(1.5),
            ["u"] = InferParameter.FromUInt64(ulong.MaxValue),
        };
        var wire = new ModelInferRequest();
        GrpcParameterConverter.ToGrpc(parameters, wire.Parameters);
        var back = GrpcParameterConverter.FromGrpc(wire.Parameters, "the request");
        Assert.Equal(parameters, back);
    }

    [Fact]
    public void EmptyParameterValue_Is400()
    {
        var wire = new ModelInferRequest();
        wire.Parameters["p"] = new Protocol.Grpc.Generated.InferParameter();
        Assert.Throws<InferenceException>(() => GrpcParameterConverter.FromGrpc(wire.Parameters, "the request"));
    }
}
