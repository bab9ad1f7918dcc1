using System.Buffers;
using System.Runtime.InteropServices;
using Google.Protobuf;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Grpc;
using ServeSharp.Protocol.Grpc.Generated;
using InferParameter = ServeSharp.Abstractions.InferParameter;

namespace ServeSharp.Protocol.Tests.Grpc;

/// <summary>
/// Differential tests of the direct ModelInfer codec (<see cref="ModelInferMarshallers"/>) against the generated
/// protobuf code: the same bytes out, the same request (or the same error) in, and a fallback for everything else.
/// </summary>
public sealed class ModelInferCodecTests
{
    public static TheoryData<Tensor> Outputs => new()
    {
        Tensor.Create("bool", [3], new[] { true, false, true }),
        Tensor.Create("u8", [3], new byte[] { 0, 127, 255 }),
        Tensor.Create("u16", [3], new ushort[] { 0, 128, 65535 }),
        Tensor.Create("u32", [3], new uint[] { 0, 300, uint.MaxValue }),
        Tensor.Create("u64", [3], new ulong[] { 0, 1UL << 35, ulong.MaxValue }),
        Tensor.Create("i8", [3], new sbyte[] { -128, 0, 127 }),
        Tensor.Create("i16", [3], new short[] { -32768, -1, 32767 }),
        Tensor.Create("i32", [4], new[] { int.MinValue, -1, 0, int.MaxValue }),
        Tensor.Create("i64", [2, 2], new[] { long.MinValue, -1, 1L << 62, long.MaxValue }),
        Tensor.Create("f32", [2, 3], new[] { 6.8f, float.NaN, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon }),
        Tensor.Create("f64", [5], new[] { 0.1, double.NaN, -0.0, double.MaxValue, double.NegativeInfinity }),
        Tensor.Create("nan-payload", [1], new[] { BitConverter.Int32BitsToSingle(0x7FC12345) }),
        Tensor.FromStrings("s", [3], ["ab", "", "żółw"]),
        new Tensor("raw-bytes", TensorDataType.Bytes, [2], new[] { new byte[] { 0xFF, 0 }, new byte[300] }),
        Tensor.Create("empty", [0, 4], Array.Empty<float>()),
        Tensor.Create("scalar", [], new[] { 42L }),
        // Every varint length, at both ends: 2^7k - 1 and 2^7k.
        Tensor.Create("varint-lengths", [20], Enumerable.Range(1, 9).SelectMany(k => new[] { (1UL << (7 * k)) - 1, 1UL << (7 * k) }).Concat([0UL, ulong.MaxValue]).ToArray()),
        Tensor.Create("varint-lengths-signed", [20], Enumerable.Range(1, 9).SelectMany(k => new[] { (1L << (7 * k)) - 1, -(1L << (7 * k)) }).Concat([0L, long.MinValue]).ToArray()),
        Tensor.Create("big", [1000], Enumerable.Range(0, 1000).Select(i => (long)i * 1_000_003 - 500_000_000).ToArray()),
        Tensor.Create("negative-dim-shape-is-not-possible-but-long-name-" + new string('x', 200), [1], new[] { 1f }),
        Tensor.Create("输出", [1], new[] { 2.5 }),
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Reply_IsTheGeneratedMessagesBytes(Tensor tensor)
    {
        foreach (var (version, id) in new[] { ((string?)null, (string?)null), ("1", "id-ü"), ("", "") })
        {
            var response = new InferenceResponse("model", [tensor, Tensor.Create("second", [1], new[] { 7L })]) { ModelVersion = version, Id = id };
            Assert.True(ModelInferReplyEncoder.CanEncode(response, requestUsedRaw: false));
            Assert.Equal(GrpcResponseConverter.ToGrpc(response, requestUsedRaw: false).ToByteArray(), Encode(ModelInferReply.Create(response, false)));
        }
    }

    [Fact]
    public void Reply_NoOutputsAndEmptyNames_IsTheGeneratedMessagesBytes()
    {
        var response = new InferenceResponse(string.Empty, []);
        Assert.Equal(GrpcResponseConverter.ToGrpc(response, false).ToByteArray(), Encode(ModelInferReply.Create(response, false)));
        var unnamed = new InferenceResponse("m", [Tensor.Create(string.Empty, [2], new[] { 1, 2 })]) { Id = "x" };
        Assert.Equal(GrpcResponseConverter.ToGrpc(unnamed, false).ToByteArray(), Encode(ModelInferReply.Create(unnamed, false)));
    }

    [Fact]
    public void Reply_OutsideTheDirectSubset_IsTheGeneratedMessage()
    {
        var withParameters = new InferenceResponse("m", [Tensor.Create("y", [1], new[] { 1f })])
        {
            Parameters = new InferParameters { ["k"] = InferParameter.FromString("v") },
        };
        var outputParameters = new InferenceResponse("m", [Tensor.Create("y", [1], new[] { 1f }, new InferParameters { ["content_type"] = InferParameter.FromString("np") })]);
        var half = new InferenceResponse("m", [Tensor.Create("h", [1], new[] { (Half)1 })]);
        var surrogate = new InferenceResponse("m", [Tensor.Create("y", [1], new[] { 1f })]) { Id = "\uD800" };
        var raw = new InferenceResponse("m", [Tensor.Create("y", [1], new[] { 1f })]);

        foreach (var (response, usedRaw) in new[] { (withParameters, false), (outputParameters, false), (half, false), (surrogate, false), (raw, true) })
        {
            var reply = ModelInferReply.Create(response, usedRaw);
            Assert.Null(reply.Response);
            Assert.NotNull(reply.Message);
            Assert.Equal(GrpcResponseConverter.ToGrpc(response, usedRaw).ToByteArray(), Encode(reply));
        }

        // binary_data_size alone is left out by the converter, so it does not stop the direct path.
        var sized = new InferenceResponse("m", [Tensor.Create("y", [1], new[] { 1f }, new InferParameters { [InferParameters.Names.BinaryDataSize] = InferParameter.FromInt64(4L) })]);
        var direct = ModelInferReply.Create(sized, false);
        Assert.NotNull(direct.Response);
        Assert.Equal(GrpcResponseConverter.ToGrpc(sized, false).ToByteArray(), Encode(direct));
    }

    public static TheoryData<string> Requests => new()
    {
        "fp32", "fp64", "int64", "int32", "uint", "uint64", "bool", "bytes", "int8", "int16", "uint8", "uint16",
        "no-contents", "empty", "multi-input", "ids", "unicode", "fp32-rows", "fp64-rows",
        "count-mismatch", "narrow-overflow", "bad-datatype", "fp16-with-data", "fp16-empty", "negative-dim", "wrong-field",
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Call_DecodesLikeTheGeneratedParser(string name)
    {
        var message = Request(name);
        var bytes = message.ToByteArray();
        var call = ModelInferCallDecoder.TryDecode(bytes);
        Assert.NotNull(call);
        Assert.Null(call.Message);
        Assert.Equal(message.ModelName, call.ModelName);
        AssertSameConversion(message, call);
    }

    [Fact]
    public void Call_UnpackedShapeAndSplitShape_DecodeLikeTheGeneratedParser()
    {
        // shape as unpacked varints (field 3, wire type 0), then a packed chunk: protobuf concatenates them.
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Contents = new InferTensorContents() };
        tensor.Contents.Fp32Contents.Add(new float[6]);
        var output = new MemoryStream();
        var writer = new CodedOutputStream(output);
        writer.WriteTag(1, WireFormat.WireType.LengthDelimited);
        writer.WriteString("x");
        writer.WriteTag(2, WireFormat.WireType.LengthDelimited);
        writer.WriteString("FP32");
        writer.WriteTag(3, WireFormat.WireType.Varint);
        writer.WriteInt64(2);
        writer.WriteTag(3, WireFormat.WireType.LengthDelimited);
        writer.WriteBytes(ByteString.CopyFrom(0x03));
        writer.WriteTag(5, WireFormat.WireType.LengthDelimited);
        writer.WriteMessage(tensor.Contents);
        writer.Flush();
        var request = new MemoryStream();
        var outer = new CodedOutputStream(request);
        outer.WriteTag(1, WireFormat.WireType.LengthDelimited);
        outer.WriteString("m");
        outer.WriteTag(5, WireFormat.WireType.LengthDelimited);
        outer.WriteBytes(ByteString.CopyFrom(output.ToArray()));
        outer.Flush();

        var bytes = request.ToArray();
        var call = ModelInferCallDecoder.TryDecode(bytes);
        Assert.NotNull(call);
        AssertSameConversion(ModelInferRequest.Parser.ParseFrom(bytes), call);
        Assert.Equal([2L, 3], GrpcRequestConverter.ToInferenceRequest(call).Inputs[0].Shape);
    }

    public static TheoryData<string> Declined => new()
    {
        "request-parameters", "input-parameters", "outputs", "raw", "two-contents-fields", "unknown-field",
    };

    [Theory]
    [MemberData(nameof(Declined))]
    public void Call_OutsideTheDirectSubset_IsLeftToTheGeneratedParser(string name)
    {
        var message = Declining(name);
        Assert.Null(ModelInferCallDecoder.TryDecode(message.ToByteArray()));
        var call = Deserialize(message.ToByteArray());
        Assert.NotNull(call.Message);
        Assert.Equal(message, call.Message);
    }

    [Fact]
    public void Call_MalformedOrOddBytes_AreLeftToTheGeneratedParser()
    {
        var good = Request("fp32").ToByteArray();
        Assert.Null(ModelInferCallDecoder.TryDecode(good.AsSpan(0, good.Length - 1))); // truncated
        Assert.Null(ModelInferCallDecoder.TryDecode([0x0A, 0x02, 0xC3, 0x28])); // model_name not UTF-8
        Assert.Null(ModelInferCallDecoder.TryDecode([0x08, 0x01])); // model_name as a varint
        Assert.Null(ModelInferCallDecoder.TryDecode([0x00])); // field 0
        Assert.Null(ModelInferCallDecoder.TryDecode([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])); // 11-byte varint
        Assert.Throws<InvalidProtocolBufferException>(() => Deserialize(good.AsSpan(0, good.Length - 1).ToArray()));
        var call = ModelInferCallDecoder.TryDecode([]);
        Assert.NotNull(call);
        Assert.Equal(string.Empty, call.ModelName);
    }

    [Fact]
    public void Call_InSeveralSegments_IsDecodedDirectly()
    {
        var bytes = Request("multi-input").ToByteArray();
        var first = new Segment(bytes.AsMemory(0, 7));
        var last = first.Append(bytes.AsMemory(7));
        var call = Deserialize(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));
        Assert.Null(call.Message);
        AssertSameConversion(ModelInferRequest.Parser.ParseFrom(bytes), call);
    }

    private static void AssertSameConversion(ModelInferRequest message, ModelInferCall call)
    {
        InferenceRequest? expected = null, actual = null;
        var expectedError = Record.Exception(() => expected = GrpcRequestConverter.ToInferenceRequest(message));
        var actualError = Record.Exception(() => actual = GrpcRequestConverter.ToInferenceRequest(call));
        if (expectedError is not null)
        {
            var error = Assert.IsType<InferenceException>(actualError);
            Assert.Equal(((InferenceException)expectedError).Kind, error.Kind);
            Assert.Equal(expectedError.Message, error.Message);
            return;
        }

        Assert.Null(actualError);
        Assert.Equal(expected!.ModelName, actual!.ModelName);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        Assert.Equal(expected.Protocol, actual.Protocol);
        Assert.Empty(actual.Parameters);
        Assert.Null(actual.Outputs);
        Assert.Equal(expected.Inputs.Count, actual.Inputs.Count);
        for (var i = 0; i < expected.Inputs.Count; i++)
        {
            var (a, b) = (expected.Inputs[i], actual.Inputs[i]);
            Assert.Equal(a.Name, b.Name);
            Assert.Equal(a.DataType, b.DataType);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Empty(b.Parameters);
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

    private static ModelInferRequest Request(string name)
    {
        var request = new ModelInferRequest { ModelName = "iris" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input-0", Datatype = "FP32", Contents = new InferTensorContents() };
        input.Shape.Add([2, 2]);
        request.Inputs.Add(input);
        var c = input.Contents;
        switch (name)
        {
            case "fp32": c.Fp32Contents.Add([6.8f, float.NaN, -0f, float.NegativeInfinity]); break;
            case "fp64": input.Datatype = "FP64"; c.Fp64Contents.Add([0.1, double.NaN, -0.0, double.MaxValue]); break;
            case "fp32-rows": // a batch: NaN payloads, subnormals and signed zeros keep their bits
                input.Shape.Clear();
                input.Shape.Add([64, 4]);
                c.Fp32Contents.Add(Enumerable.Range(0, 256).Select(i => (i % 5) switch
                {
                    0 => BitConverter.Int32BitsToSingle(0x7FC00000 | i),
                    1 => float.Epsilon * i,
                    2 => -0f,
                    _ => i * 0.37f - 40,
                }));
                break;
            case "fp64-rows":
                input.Datatype = "FP64";
                input.Shape.Clear();
                input.Shape.Add([64, 4]);
                c.Fp64Contents.Add(Enumerable.Range(0, 256).Select(i => (i % 4) switch
                {
                    0 => BitConverter.Int64BitsToDouble(0x7FF8000000000000L | (long)i),
                    1 => double.Epsilon * i,
                    _ => i * 0.37 - 40,
                }));
                break;
            case "int64": input.Datatype = "INT64"; c.Int64Contents.Add([long.MinValue, -1, 0, long.MaxValue]); break;
            case "int32": input.Datatype = "INT32"; c.IntContents.Add([int.MinValue, -1, 0, int.MaxValue]); break;
            case "uint": input.Datatype = "UINT32"; c.UintContents.Add([0, 1, 300, uint.MaxValue]); break;
            case "uint64": input.Datatype = "UINT64"; c.Uint64Contents.Add([0, 1, 1UL << 40, ulong.MaxValue]); break;
            case "bool": input.Datatype = "BOOL"; c.BoolContents.Add([true, false, false, true]); break;
            case "bytes": input.Datatype = "BYTES"; c.BytesContents.Add([ByteString.CopyFromUtf8("a"), ByteString.Empty, ByteString.CopyFrom(0xFF), ByteString.CopyFromUtf8("żółw")]); break;
            case "int8": input.Datatype = "INT8"; c.IntContents.Add([-128, -1, 0, 127]); break;
            case "int16": input.Datatype = "INT16"; c.IntContents.Add([-32768, -1, 0, 32767]); break;
            case "uint8": input.Datatype = "UINT8"; c.UintContents.Add([0, 1, 128, 255]); break;
            case "uint16": input.Datatype = "UINT16"; c.UintContents.Add([0, 1, 128, 65535]); break;
            case "no-contents": input.Contents = null; input.Shape.Clear(); input.Shape.Add(0); break;
            case "empty": input.Shape.Clear(); input.Shape.Add([0, 4]); break;
            case "multi-input":
                c.Fp32Contents.Add([1, 2, 3, 4]);
                var second = new ModelInferRequest.Types.InferInputTensor { Name = "b", Datatype = "INT64", Contents = new InferTensorContents() };
                second.Shape.Add(3);
                second.Contents.Int64Contents.Add([1, 2, 3]);
                request.Inputs.Add(second);
                break;
            case "ids": c.Fp32Contents.Add([1, 2, 3, 4]); request.Id = "req-1"; request.ModelVersion = "7"; break;
            case "unicode": c.Fp32Contents.Add([1, 2, 3, 4]); request.ModelName = "modèl"; input.Name = "入力"; request.Id = "ü"; break;
            case "count-mismatch": c.Fp32Contents.Add([1, 2, 3]); break;
            case "narrow-overflow": input.Datatype = "INT8"; c.IntContents.Add([1, 2, 300, 4]); break;
            case "bad-datatype": input.Datatype = "FLOAT32"; c.Fp32Contents.Add([1, 2, 3, 4]); break;
            case "fp16-with-data": input.Datatype = "FP16"; c.Fp32Contents.Add([1, 2, 3, 4]); break;
            case "fp16-empty": input.Datatype = "FP16"; input.Shape.Clear(); input.Shape.Add([0]); break;
            case "negative-dim": input.Shape.Clear(); input.Shape.Add([-1, 4]); c.Fp32Contents.Add([1, 2, 3, 4]); break;
            case "wrong-field": c.Int64Contents.Add([1, 2, 3, 4]); break;
            default: throw new ArgumentException(name);
        }

        return request;
    }

    private static ModelInferRequest Declining(string name)
    {
        var request = Request("fp32");
        var input = request.Inputs[0];
        switch (name)
        {
            case "request-parameters": request.Parameters["p"] = new ServeSharp.Protocol.Grpc.Generated.InferParameter { BoolParam = true }; break;
            case "input-parameters": input.Parameters["content_type"] = new ServeSharp.Protocol.Grpc.Generated.InferParameter { StringParam = "np" }; break;
            case "outputs": request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "output-0" }); break;
            case "raw": input.Contents = null; request.RawInputContents.Add(ByteString.CopyFrom(new byte[16])); break;
            case "two-contents-fields": input.Contents.Int64Contents.Add([1, 2, 3, 4]); break;
            case "unknown-field": request.MergeFrom(new byte[] { 0x50, 0x01 }); break; // field 10 varint
            default: throw new ArgumentException(name);
        }

        return request;
    }

    private static ModelInferCall Deserialize(byte[] bytes) => Deserialize(new ReadOnlySequence<byte>(bytes));

    private static ModelInferCall Deserialize(ReadOnlySequence<byte> payload) => ModelInferMarshallers.DeserializeCall(new Context(payload));

    private static byte[] Encode(ModelInferReply reply)
    {
        var context = new SerializationContextStub();
        ModelInferMarshallers.SerializeReply(reply, context);
        return context.Written;
    }

    private static byte[] Bits(Tensor tensor)
    {
        var size = (int)tensor.ElementCount * tensor.DataType.ElementSize();
        var bytes = new byte[size];
        if (size > 0)
        {
            var pin = GCHandle.Alloc(tensor.Data, GCHandleType.Pinned);
            try
            {
                Marshal.Copy(pin.AddrOfPinnedObject(), bytes, 0, size);
            }
            finally
            {
                pin.Free();
            }
        }

        return bytes;
    }

    private sealed class Context(ReadOnlySequence<byte> payload) : global::Grpc.Core.DeserializationContext
    {
        public override int PayloadLength => (int)payload.Length;

        public override byte[] PayloadAsNewBuffer() => payload.ToArray();

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => payload;
    }

    private sealed class SerializationContextStub : global::Grpc.Core.SerializationContext
    {
        private readonly ArrayBufferWriter<byte> _writer = new();
        private int? _length;

        public byte[] Written { get; private set; } = [];

        public override void SetPayloadLength(int payloadLength) => _length = payloadLength;

        public override IBufferWriter<byte> GetBufferWriter() => _writer;

        public override void Complete()
        {
            Written = _writer.WrittenSpan.ToArray();
            Assert.Equal(_length, Written.Length);
        }

        public override void Complete(byte[] payload) => Written = payload;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
