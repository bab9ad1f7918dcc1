using System.Globalization;
using System.Numerics;
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
        if (source.DataType == TensorDataType.Bytes)
        {
            throw InferenceException.InvalidInput(
                $"Input '{source.Name}' of model '{modelName}' must be {target.ToWireName()} numbers, not BYTES.");
        }

        var context = new Context(source.Name, modelName, target);
        var count = checked((int)source.ElementCount);
        return target switch
        {
            TensorDataType.Bool => ToBool(source, count, context),
            TensorDataType.BF16 => ToBFloat16(source, count),
            TensorDataType.UInt8 => Fill(source, PooledArrays.Rent<byte>(count), context),
            TensorDataType.UInt16 => Fill(source, PooledArrays.Rent<ushort>(count), context),
            TensorDataType.UInt32 => Fill(source, PooledArrays.Rent<uint>(count), context),
            TensorDataType.UInt64 => Fill(source, PooledArrays.Rent<ulong>(count), context),
            TensorDataType.Int8 => Fill(source, PooledArrays.Rent<sbyte>(count), context),
            TensorDataType.Int16 => Fill(source, PooledArrays.Rent<short>(count), context),
            TensorDataType.Int32 => Fill(source, PooledArrays.Rent<int>(count), context),
            TensorDataType.Int64 => Fill(source, PooledArrays.Rent<long>(count), context),
            TensorDataType.FP16 => Fill(source, PooledArrays.Rent<Half>(count), context),
            TensorDataType.FP32 => Fill(source, PooledArrays.Rent<float>(count), context),
            TensorDataType.FP64 => Fill(source, PooledArrays.Rent<double>(count), context),
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Not a numeric datatype."),
        };
    }

    private static TTo[] Fill<TTo>(Tensor source, TTo[] destination, in Context context)
        where TTo : INumberBase<TTo>
    {
        var span = destination.AsSpan(0, checked((int)source.ElementCount));
        switch (source.DataType)
        {
            case TensorDataType.FP64: FillFrom((double[])source.Data, span, context); break;
            case TensorDataType.FP32: FillFrom((float[])source.Data, span, context); break;
            case TensorDataType.FP16: FillFrom((Half[])source.Data, span, context); break;
            case TensorDataType.Int64: FillFrom((long[])source.Data, span, context); break;
            case TensorDataType.Int32: FillFrom((int[])source.Data, span, context); break;
            case TensorDataType.Int16: FillFrom((short[])source.Data, span, context); break;
            case TensorDataType.Int8: FillFrom((sbyte[])source.Data, span, context); break;
            case TensorDataType.UInt64: FillFrom((ulong[])source.Data, span, context); break;
            case TensorDataType.UInt32: FillFrom((uint[])source.Data, span, context); break;
            case TensorDataType.UInt16: FillFrom((ushort[])source.Data, span, context); break;
            case TensorDataType.UInt8: FillFrom((byte[])source.Data, span, context); break;
            default: FillFrom(source.ToDoubleArray(), span, context); break; // BOOL, BF16: rare, via double.
        }

        return destination;
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

    private static bool[] ToBool(Tensor source, int count, in Context context)
    {
        var result = PooledArrays.Rent<bool>(count);
        if (source.DataType == TensorDataType.Bool)
        {
            ((bool[])source.Data).AsSpan().CopyTo(result);
            return result;
        }

        var values = source.ToDoubleArray();
        for (var i = 0; i < count; i++)
        {
            result[i] = values[i] switch
            {
                0 => false,
                1 => true,
                _ => throw context.Error(i, values[i].ToString(CultureInfo.InvariantCulture), "is neither 0 nor 1"),
            };
        }

        return result;
    }

    private static ushort[] ToBFloat16(Tensor source, int count)
    {
        var result = PooledArrays.Rent<ushort>(count);
        var values = source.ToSingleArray();
        for (var i = 0; i < count; i++)
        {
            result[i] = BFloat16Bits(values[i]);
        }

        return result;
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
