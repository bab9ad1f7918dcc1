using ServeSharp.Abstractions;

namespace ServeSharp.Abstractions.Tests;

public class TensorTests
{
    [Fact]
    public void Constructor_WrongArrayType_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new Tensor("x", TensorDataType.FP32, [2], new double[] { 1, 2 }));
        Assert.Contains("Single[]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CountMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new Tensor("x", TensorDataType.FP32, [2, 2], new float[] { 1, 2, 3 }));
        Assert.Contains("4 elements", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_InfersDataType()
    {
        var t = Tensor.Create("x", [1, 2], new long[] { 3, 4 });
        Assert.Equal(TensorDataType.Int64, t.DataType);
        Assert.Equal(2, t.ElementCount);
    }

    [Fact]
    public void ToDoubleArray_ConvertsBoolAndBf16()
    {
        Assert.Equal([1.0, 0.0], new Tensor("b", TensorDataType.Bool, [2], new[] { true, false }).ToDoubleArray());
        // BF16 bits 0x3f80 = 1.0, 0xc020 = -2.5
        Assert.Equal([1.0, -2.5], new Tensor("h", TensorDataType.BF16, [2], new ushort[] { 0x3f80, 0xc020 }).ToDoubleArray());
    }

    [Fact]
    public void ToDoubleArray_Bytes_Throws()
    {
        var t = Tensor.FromStrings("s", [1], ["a"]);
        Assert.Throws<InvalidOperationException>(() => t.ToDoubleArray());
        Assert.Equal(["a"], t.ToStrings());
    }

    [Fact]
    public void GetElementCount_NegativeOrOverflow_Throws()
    {
        Assert.Throws<ArgumentException>(() => Tensor.GetElementCount([-1, 2]));
        Assert.Throws<OverflowException>(() => Tensor.GetElementCount([long.MaxValue, 2]));
        Assert.Equal(0, Tensor.GetElementCount([0, 5]));
    }

    [Theory]
    [InlineData("FP32", TensorDataType.FP32)]
    [InlineData("fp32", TensorDataType.FP32)]
    [InlineData("BYTES", TensorDataType.Bytes)]
    [InlineData("BF16", TensorDataType.BF16)]
    public void TryParseWireName_KnownNames(string name, TensorDataType expected)
    {
        Assert.True(TensorDataTypeExtensions.TryParseWireName(name, out var parsed));
        Assert.Equal(expected, parsed);
        Assert.Equal(name.ToUpperInvariant(), parsed.ToWireName());
    }

    [Fact]
    public void TryParseWireName_Unknown_False()
    {
        Assert.False(TensorDataTypeExtensions.TryParseWireName("FP128", out _));
        Assert.False(TensorDataTypeExtensions.TryParseWireName(null, out _));
    }

    [Fact]
    public void GetData_SameSizeSignedType_Throws()
    {
        // The CLR would let a ushort[] be cast to short[]; GetData must not.
        var t = new Tensor("u", TensorDataType.UInt16, [1], new ushort[] { 65535 });
        Assert.Throws<InvalidOperationException>(() => t.GetData<short>());
        Assert.Equal([65535.0], t.ToDoubleArray());
    }
}
