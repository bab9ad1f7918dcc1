using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// Converts a request tensor's numbers to the element type the model declares. V1 JSON arrives as FP64 or INT64
/// and V2 clients often send FP64 to an FP32 model, so any numeric or BOOL datatype is accepted for a numeric
/// input: floating-point targets take the nearest representable value; integer targets only accept whole numbers
/// in range (2.5 or 300 for UINT8 are errors, never silently truncated); BOOL targets accept BOOL or 0/1.
/// </summary>
internal static class NumericCoercion
{
    /// <summary>
    /// Returns a pooled array (return it with <see cref="PooledArrays.Return"/>) holding the first
    /// <c>source.ElementCount</c> elements converted to <paramref name="target"/>'s storage type.
    /// </summary>
    /// <exception cref="InferenceException">A value does not fit, or the source holds BYTES.</exception>
    public static Array Convert(Tensor source, TensorDataType target, string modelName)
    {
        var count = checked((int)source.ElementCount);
        var result = PooledArrays.Rent(target, count);
        try
        {
            ConvertInto(source, target, TensorArrays.Bytes(result, target)[..(count * target.ElementSize())], modelName);
        }
        catch
        {
            PooledArrays.Return(target, result);
            throw;
        }

        return result;
    }

    /// <summary>
    /// Writes <paramref name="source"/>'s elements converted to <paramref name="target"/> into
    /// <paramref name="destination"/>, which holds exactly that many <paramref name="target"/> elements.
    /// </summary>
    /// <exception cref="InferenceException">A value does not fit, or the source holds BYTES.</exception>
    public static void ConvertInto(Tensor source, TensorDataType target, Span<byte> destination, string modelName)
    {
        if (source.DataType == TensorDataType.Bytes)
        {
            throw InferenceException.InvalidInput(
                $"Input '{source.Name}' of model '{modelName}' must be {target.ToWireName()} numbers, not BYTES.");
        }

        if (destination.Length != source.ElementCount * target.ElementSize())
        {
            throw new ArgumentException(
                $"{destination.Length} bytes do not hold {source.ElementCount} {target.ToWireName()} values.", nameof(destination));
        }

        if (target == TensorDataType.FP32 && source.DataType == TensorDataType.FP64)
        {
            // The usual case (V1 JSON into a float model), eight values at a time.
            Narrow(((double[])source.Data).AsSpan(0, destination.Length / sizeof(float)), MemoryMarshal.Cast<byte, float>(destination));
            return;
        }

        var context = new Context(source.Name, modelName, target);
        switch (target)
        {
            case TensorDataType.Bool: ToBool(source, MemoryMarshal.Cast<byte, bool>(destination), context); break;
            case TensorDataType.BF16: ToBFloat16(source, MemoryMarshal.Cast<byte, ushort>(destination)); break;
            case TensorDataType.UInt8: Fill(source, destination, context); break;
            case TensorDataType.UInt16: Fill(source, MemoryMarshal.Cast<byte, ushort>(destination), context); break;
            case TensorDataType.UInt32: Fill(source, MemoryMarshal.Cast<byte, uint>(destination), context); break;
            case TensorDataType.UInt64: Fill(source, MemoryMarshal.Cast<byte, ulong>(destination), context); break;
            case TensorDataType.Int8: Fill(source, MemoryMarshal.Cast<byte, sbyte>(destination), context); break;
            case TensorDataType.Int16: Fill(source, MemoryMarshal.Cast<byte, short>(destination), context); break;
            case TensorDataType.Int32: Fill(source, MemoryMarshal.Cast<byte, int>(destination), context); break;
            case TensorDataType.Int64: Fill(source, MemoryMarshal.Cast<byte, long>(destination), context); break;
            case TensorDataType.FP16: Fill(source, MemoryMarshal.Cast<byte, Half>(destination), context); break;
            case TensorDataType.FP32: Fill(source, MemoryMarshal.Cast<byte, float>(destination), context); break;
            case TensorDataType.FP64: Fill(source, MemoryMarshal.Cast<byte, double>(destination), context); break;
            default: throw new ArgumentOutOfRangeException(nameof(target), target, "Not a numeric datatype.");
        }
    }

    /// <summary>Each double rounded to the nearest float (the vector conversion rounds as the scalar cast does).</summary>
    private static void Narrow(ReadOnlySpan<double> source, Span<float> destination)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= destination.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var lower = Vector256.Create(source.Slice(i, Vector256<double>.Count));
                var upper = Vector256.Create(source.Slice(i + Vector256<double>.Count, Vector256<double>.Count));
                Vector256.Narrow(lower, upper).CopyTo(destination[i..]);
            }
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }

    private static void Fill<TTo>(Tensor source, Span<TTo> destination, in Context context)
        where TTo : INumberBase<TTo>
    {
        switch (source.DataType)
        {
            case TensorDataType.FP64: FillFrom((double[])source.Data, destination, context); break;
            case TensorDataType.FP32: FillFrom((float[])source.Data, destination, context); break;
            case TensorDataType.FP16: FillFrom((Half[])source.Data, destination, context); break;
            case TensorDataType.Int64: FillFrom((long[])source.Data, destination, context); break;
            case TensorDataType.Int32: FillFrom((int[])source.Data, destination, context); break;
            case TensorDataType.Int16: FillFrom((short[])source.Data, destination, context); break;
            case TensorDataType.Int8: FillFrom((sbyte[])source.Data, destination, context); break;
            case TensorDataType.UInt64: FillFrom((ulong[])source.Data, destination, context); break;
            case TensorDataType.UInt32: FillFrom((uint[])source.Data, destination, context); break;
            case TensorDataType.UInt16: FillFrom((ushort[])source.Data, destination, context); break;
            case TensorDataType.UInt8: FillFrom((byte[])source.Data, destination, context); break;
            default: FillFrom(source.ToDoubleArray(), destination, context); break; // BOOL, BF16: rare, via double.
        }
    }

    private static void FillFrom<TFrom, TTo>(TFrom[] source, Span<TTo> destination, in Context context)
        where TFrom : INumberBase<TFrom>
        where TTo : INumberBase<TTo>
    {
        if (context.Target.IsFloatingPoint())
        {
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = TTo.CreateTruncating(source[i]);
            }

            return;
        }

        var index = 0;
        try
        {
            for (; index < destination.Length; index++)
            {
                var value = source[index];
                if (!TFrom.IsInteger(value))
                {
                    throw context.Error(index, value.ToString(null, CultureInfo.InvariantCulture), "is not a whole number");
                }

                destination[index] = TTo.CreateChecked(value);
            }
        }
        catch (OverflowException)
        {
            throw context.Error(index, source[index].ToString(null, CultureInfo.InvariantCulture), "is out of range");
        }
    }

    private static void ToBool(Tensor source, Span<bool> destination, in Context context)
    {
        if (source.DataType == TensorDataType.Bool)
        {
            ((bool[])source.Data).AsSpan().CopyTo(destination);
            return;
        }

        var values = source.ToDoubleArray();
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = values[i] switch
            {
                0 => false,
                1 => true,
                _ => throw context.Error(i, values[i].ToString(CultureInfo.InvariantCulture), "is neither 0 nor 1"),
            };
        }
    }

    private static void ToBFloat16(Tensor source, Span<ushort> destination)
    {
        var values = source.ToSingleArray();
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BFloat16Bits(values[i]);
        }
    }

    /// <summary>Rounds a float to the nearest bfloat16 (ties to even), keeping NaN a NaN.</summary>
    internal static ushort BFloat16Bits(float value)
    {
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        var bits = BitConverter.SingleToUInt32Bits(value);
        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    private readonly record struct Context(string InputName, string ModelName, TensorDataType Target)
    {
        public InferenceException Error(int index, string value, string problem) =>
            InferenceException.InvalidInput(
                $"Input '{InputName}' of model '{ModelName}' expects {Target.ToWireName()} values, " +
                $"but element {index} ({value}) {problem} for {Target.ToWireName()}.");
    }
}
