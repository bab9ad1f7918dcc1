using ServeSharp.Abstractions;
using ServeSharp.Protocol.Binary;

namespace ServeSharp.Protocol.Tests.Binary;

/// <summary>The byte vectors of protocol.md §3.4, both directions.</summary>
public sealed class BinaryTensorCodecTests
{
    public static TheoryData<Tensor, string> Vectors => new()
    {
        { Tensor.FromStrings("b", [3], ["ab", "c", ""]), "020000006162010000006300000000" },
        { Tensor.Create("b", [3], new[] { true, false, true }), "010001" },
        { Tensor.Create("u", [2, 2], new uint[] { 1, 2, 3, 4 }), "01000000020000000300000004000000" },
        { new Tensor("bf", TensorDataType.BF16, [2], new ushort[] { 0x3f80, 0xc020 }), "803f20c0" },
        { Tensor.Create("f", [8], new[] { 6.8f, 2.8f, 4.8f, 1.4f, 6.0f, 3.4f, 4.5f, 1.6f }), "9a99d940333333409a9999403333b33f0000c0409a99594000009040cdcccc3f" },
        { Tensor.Create("h", [8], new[] { 6.8f, 2.8f, 4.8f, 1.4f, 6.0f, 3.4f, 4.5f, 1.6f }.Select(v => (Half)v).ToArray()), "cd469a41cd449a3d0046cd428044663e" },
        { Tensor.Create("i8", [2], new sbyte[] { -1, 2 }), "ff02" },
        { Tensor.Create("u16", [1], new ushort[] { 0xfffe }), "feff" },
        { Tensor.Create("i64", [1], new long[] { -2 }), "feffffffffffffff" },
        { Tensor.Create("u64", [1], new ulong[] { ulong.MaxValue }), "ffffffffffffffff" },
        { Tensor.Create("f64", [1], new[] { 1.0 }), "000000000000f03f" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Write_MatchesVector_AndReadRestoresTensor(Tensor tensor, string hex)
    {
        var bytes = BinaryTensorCodec.ToArray(tensor);
        Assert.Equal(hex, Convert.ToHexString(bytes).ToLowerInvariant());
        Assert.Equal(bytes.Length, BinaryTensorCodec.GetByteCount(tensor));
        var back = BinaryTensorCodec.Read(tensor.Name, tensor.DataType, tensor.Shape, bytes, null, "input 'x'");
        Assert.Equal(tensor.DataType, back.DataType);
        Assert.Equal(tensor.Shape, back.Shape);
        Assert.Equal(bytes, BinaryTensorCodec.ToArray(back));
    }

    [Fact]
    public void Read_WrongByteCount_Is400NamingSizes()
    {
        var e = Assert.Throws<InferenceException>(() =>
            BinaryTensorCodec.Read("x", TensorDataType.FP32, [2], new byte[7], null, "input 'x'"));
        Assert.Equal(InferenceErrorKind.InvalidInput, e.Kind);
        Assert.Equal(
            "input 'x' has shape [2] and datatype FP32, so its binary data must be 8 bytes (2 x 4), but 7 bytes were given.",
            e.Message);
    }

    [Theory]
    [InlineData("0200", "ends inside the length prefix")]
    [InlineData("05000000616263", "declares 5 bytes but only 3 remain")]
    [InlineData("0100000061ff", "holds 1 bytes after its 1 elements")]
    public void Read_BadBytesTensor_Is400(string hex, string expected)
    {
        var e = Assert.Throws<InferenceException>(() =>
            BinaryTensorCodec.Read("x", TensorDataType.Bytes, [1], Convert.FromHexString(hex), null, "input 'x'"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ElementCount_NegativeOrHugeShape_Is400()
    {
        Assert.Throws<InferenceException>(() => BinaryTensorCodec.ElementCount([-1, 2], "input 'x'"));
        Assert.Throws<InferenceException>(() => BinaryTensorCodec.ElementCount([long.MaxValue, 4], "input 'x'"));
    }
}
