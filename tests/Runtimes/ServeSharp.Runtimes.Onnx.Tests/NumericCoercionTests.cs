using System.Runtime.InteropServices;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx.Tests;

/// <summary>
/// FP64 requests for FP32 inputs (every V1 JSON request to a float model) are narrowed eight values at a time; each
/// float must be bit for bit what the scalar cast gives, for every length (whole vectors and the scalar tail) and
/// for the values where rounding, overflow and NaN handling could differ.
/// </summary>
public sealed class NumericCoercionTests
{
    private static readonly double[] Special =
    [
        0.0, -0.0, double.NaN, -double.NaN, BitConverter.Int64BitsToDouble(0x7FF0000000000001), // a signalling NaN
        BitConverter.Int64BitsToDouble(0x7FF8DEADBEEF0001), double.PositiveInfinity, double.NegativeInfinity,
        double.MaxValue, -double.MaxValue, float.MaxValue, 3.4028235677973366e38, // just above float's largest: rounds to infinity
        double.Epsilon, 1e-46, 1.401298464324817e-45, 7e-46, // float's smallest subnormal and the tie below it
        1.0000000596046448, 1.0000000596046450, 16777217, 0.1, 6.8, -2.5, 1e300, -1e-300,
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(24)]
    [InlineData(257)]
    public void Fp64ToFp32_IsTheScalarCastBitForBit(int length)
    {
        var random = new Random(length);
        var values = Enumerable.Range(0, length).Select(i => i < Special.Length && length >= Special.Length
            ? Special[i]
            : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-50, 50))).ToArray();
        var source = new Tensor("x", TensorDataType.FP64, [length], values);

        var destination = new float[length];
        NumericCoercion.ConvertInto(source, TensorDataType.FP32, MemoryMarshal.AsBytes(destination.AsSpan()), "m");

        Assert.Equal(values.Select(v => BitConverter.SingleToInt32Bits((float)v)), destination.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Fp64ToFp32_IntoAPooledArray_FillsTheTensorsElements()
    {
        // The pooled array is usually longer than the tensor: only its front is converted into.
        var values = Enumerable.Range(0, 17).Select(i => i + 0.1).ToArray();
        var source = new Tensor("x", TensorDataType.FP64, [17], values);
        var pooled = NumericCoercion.Convert(source, TensorDataType.FP32, "m");
        try
        {
            Assert.True(pooled.Length >= 17);
            Assert.Equal(values.Select(v => (float)v), ((float[])pooled)[..17]);
        }
        finally
        {
            PooledArrays.Return(TensorDataType.FP32, pooled);
        }
    }
}
