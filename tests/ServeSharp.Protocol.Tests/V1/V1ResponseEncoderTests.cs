using System.Buffers;
using System.Text;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.V1;

namespace ServeSharp.Protocol.Tests.V1;

public sealed class V1ResponseEncoderTests
{
    private static string Encode(params Tensor[] outputs)
    {
        var buffer = new ArrayBufferWriter<byte>();
        V1ResponseEncoder.EncodePredictions(new InferenceResponse("m", outputs), buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void OneOutput_IsNestedByShape()
    {
        Assert.Equal("""{"predictions":[[1,2,3],[4,5,6]]}""", Encode(Tensor.Create("o", [2, 3], new long[] { 1, 2, 3, 4, 5, 6 })));
        Assert.Equal("""{"predictions":[0,2]}""", Encode(Tensor.Create("o", [2], new long[] { 0, 2 })));
        Assert.Equal("""{"predictions":7}""", Encode(Tensor.Create("o", [], new long[] { 7 })));
        Assert.Equal("""{"predictions":[[0.5,0.25]]}""", Encode(Tensor.Create("o", [1, 2], new[] { 0.5f, 0.25f })));
    }

    [Fact]
    public void SeveralOutputs_AreRowObjects()
    {
        var json = Encode(
            Tensor.Create("label", [2], new long[] { 1, 0 }),
            Tensor.Create("probs", [2, 2], new[] { 0.25, 0.75, 1.0, 0.0 }));
        Assert.Equal("""{"predictions":[{"label":1,"probs":[0.25,0.75]},{"label":0,"probs":[1.0,0.0]}]}""", json);
    }

    [Fact]
    public void SeveralOutputs_WithDifferentRowCounts_IsInferenceFailure()
    {
        var e = Assert.Throws<InferenceException>(() => Encode(
            Tensor.Create("a", [2], new long[] { 1, 0 }),
            Tensor.Create("b", [3], new long[] { 1, 0, 1 })));
        Assert.Equal(InferenceErrorKind.InferenceFailed, e.Kind);
    }

    [Fact]
    public void Fp16_IsWrittenAsNumbers()
    {
        Assert.Equal("""{"predictions":[1.5]}""", Encode(Tensor.Create("o", [1], new[] { (Half)1.5f })));
    }
}
