using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using ServeSharp.Abstractions;

namespace ServeSharp.Protocol.Grpc;

/// <summary>
/// Writes a <c>ModelInferResponse</c> with typed contents straight from an <see cref="InferenceResponse"/>, byte for
/// byte what <see cref="GrpcResponseConverter.ToGrpc"/> followed by the generated serializer writes (fields in
/// number order, packed repeated scalars, empty strings and empty repeated fields left out, <c>contents</c> always
/// present). Only for responses without parameters whose outputs all have typed contents; the rest go through the
/// generated message (<see cref="CanEncode"/>).
/// </summary>
internal static class ModelInferReplyEncoder
{
    /// <summary>Largest message written here; bigger ones go through the generated serializer's chunked writer.</summary>
    public const int MaxSize = 1 << 20;

    private static readonly Encoding Utf8 = Encoding.UTF8;

    /// <summary>Whether <paramref name="response"/> can be written here.</summary>
    public static bool CanEncode(InferenceResponse response, bool requestUsedRaw) => TryGetSize(response, requestUsedRaw, out _);

    /// <summary>Whether <paramref name="response"/> can be written here, and its encoded size if so.</summary>
    public static bool TryGetSize(InferenceResponse response, bool requestUsedRaw, out int size)
    {
        size = 0;
        if (requestUsedRaw || response.Parameters.Count > 0 || !IsPlain(response.ModelName) || !IsPlain(response.ModelVersion)
            || !IsPlain(response.Id))
        {
            return false;
        }

        var outputs = response.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            var tensor = outputs[i];
            // FP16/BF16 make the whole response raw; output parameters (other than binary_data_size, which is left
            // out) would need the map encoding.
            if (tensor.DataType is TensorDataType.FP16 or TensorDataType.BF16 || !IsPlain(tensor.Name)
                || tensor.Parameters.Count > (tensor.Parameters.ContainsKey(InferParameters.Names.BinaryDataSize) ? 1 : 0))
            {
                return false;
            }
        }

        size = GetSize(response);
        return size <= MaxSize;
    }

    /// <summary>The encoded size of a response <see cref="TryGetSize"/> accepted.</summary>
    public static int GetSize(InferenceResponse response)
    {
        long size = StringSize(response.ModelName) + StringSize(response.ModelVersion) + StringSize(response.Id);
        var outputs = response.Outputs; // indexed, not foreach: an interface enumerator is an allocation per call
        for (var i = 0; i < outputs.Count; i++)
        {
            size += MessageSize(OutputSize(outputs[i], ContentsSize(outputs[i], out _)));
            if (size > MaxSize)
            {
                return int.MaxValue;
            }
        }

        return (int)size;
    }

    /// <summary>Writes a response <see cref="TryGetSize"/> accepted into <paramref name="destination"/> (exactly <see cref="GetSize"/> bytes).</summary>
    public static void Write(InferenceResponse response, Span<byte> destination)
    {
        var position = 0;
        WriteString(destination, ref position, 0x0A, response.ModelName);
        WriteString(destination, ref position, 0x12, response.ModelVersion);
        WriteString(destination, ref position, 0x1A, response.Id);
        var outputs = response.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            var tensor = outputs[i];
            // The packed payload's size takes a pass over the values: once per output here.
            var contentsSize = ContentsSize(tensor, out var payload);
            destination[position++] = 0x2A;
            WriteVarint(destination, ref position, (ulong)OutputSize(tensor, contentsSize));
            WriteString(destination, ref position, 0x0A, tensor.Name);
            WriteString(destination, ref position, 0x12, tensor.DataType.ToWireName());
            if (tensor.Shape.Length > 0)
            {
                destination[position++] = 0x1A;
                WriteVarint(destination, ref position, (ulong)ShapeSize(tensor.Shape));
                foreach (var dim in tensor.Shape)
                {
                    WriteVarint(destination, ref position, (ulong)dim);
                }
            }

            destination[position++] = 0x2A;
            WriteVarint(destination, ref position, (ulong)contentsSize);
            WriteContents(destination, ref position, tensor, payload);
        }
    }

    private static bool IsPlain(string? value) =>
        value is null || value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0;

    private static long OutputSize(Tensor tensor, long contentsSize)
    {
        var size = StringSize(tensor.Name) + StringSize(tensor.DataType.ToWireName());
        if (tensor.Shape.Length > 0)
        {
            size += MessageSize(ShapeSize(tensor.Shape));
        }

        return size + MessageSize(contentsSize);
    }

    private static long ShapeSize(long[] shape)
    {
        long size = 0;
        foreach (var dim in shape)
        {
            size += VarintSize((ulong)dim);
        }

        return size;
    }

    /// <summary>
    /// Size of the typed contents message (one packed field, or one entry per BYTES element), and of the packed
    /// field's payload (0 for BYTES).
    /// </summary>
    private static long ContentsSize(Tensor tensor, out long payload)
    {
        payload = 0;
        if (tensor.DataType == TensorDataType.Bytes)
        {
            long size = 0;
            foreach (var v in (byte[][])tensor.Data)
            {
                size += MessageSize(v.Length);
            }

            return size;
        }

        payload = PackedSize(tensor);
        return payload == 0 ? 0 : MessageSize(payload);
    }

    /// <summary>Bytes of the packed values of a numeric or BOOL tensor.</summary>
    private static long PackedSize(Tensor tensor)
    {
        long payload = 0;
        switch (tensor.DataType)
        {
            case TensorDataType.Bool:
                payload = ((bool[])tensor.Data).Length;
                break;
            case TensorDataType.UInt8:
                foreach (var v in (byte[])tensor.Data) payload += VarintSize(v);
                break;
            case TensorDataType.UInt16:
                foreach (var v in (ushort[])tensor.Data) payload += VarintSize(v);
                break;
            case TensorDataType.UInt32:
                foreach (var v in (uint[])tensor.Data) payload += VarintSize(v);
                break;
            case TensorDataType.UInt64:
                foreach (var v in (ulong[])tensor.Data) payload += VarintSize(v);
                break;
            case TensorDataType.Int8:
                foreach (var v in (sbyte[])tensor.Data) payload += VarintSize((ulong)(long)v);
                break;
            case TensorDataType.Int16:
                foreach (var v in (short[])tensor.Data) payload += VarintSize((ulong)(long)v);
                break;
            case TensorDataType.Int32:
                foreach (var v in (int[])tensor.Data) payload += VarintSize((ulong)(long)v);
                break;
            case TensorDataType.Int64:
                foreach (var v in (long[])tensor.Data) payload += VarintSize((ulong)v);
                break;
            case TensorDataType.FP32:
                payload = 4L * ((float[])tensor.Data).Length;
                break;
            case TensorDataType.FP64:
                payload = 8L * ((double[])tensor.Data).Length;
                break;
            default:
                throw new InvalidOperationException($"{tensor.DataType.ToWireName()} has no typed contents field.");
        }

        return payload;
    }

    private static void WriteContents(Span<byte> destination, ref int position, Tensor tensor, long payload)
    {
        if (tensor.DataType == TensorDataType.Bytes)
        {
            foreach (var v in (byte[][])tensor.Data)
            {
                destination[position++] = 0x42;
                WriteVarint(destination, ref position, (ulong)v.Length);
                v.CopyTo(destination[position..]);
                position += v.Length;
            }

            return;
        }

        if (payload == 0)
        {
            return;
        }

        // Field numbers of InferTensorContents: bool 1, int 2, int64 3, uint 4, uint64 5, fp32 6, fp64 7 (packed).
        destination[position++] = tensor.DataType switch
        {
            TensorDataType.Bool => 0x0A,
            TensorDataType.Int8 or TensorDataType.Int16 or TensorDataType.Int32 => 0x12,
            TensorDataType.Int64 => 0x1A,
            TensorDataType.UInt8 or TensorDataType.UInt16 or TensorDataType.UInt32 => 0x22,
            TensorDataType.UInt64 => 0x2A,
            TensorDataType.FP32 => 0x32,
            _ => 0x3A, // FP64
        };
        WriteVarint(destination, ref position, (ulong)payload);
        switch (tensor.DataType)
        {
            case TensorDataType.Bool:
                foreach (var v in (bool[])tensor.Data) destination[position++] = v ? (byte)1 : (byte)0;
                break;
            case TensorDataType.UInt8:
                foreach (var v in (byte[])tensor.Data) WriteVarint(destination, ref position, v);
                break;
            case TensorDataType.UInt16:
                foreach (var v in (ushort[])tensor.Data) WriteVarint(destination, ref position, v);
                break;
            case TensorDataType.UInt32:
                foreach (var v in (uint[])tensor.Data) WriteVarint(destination, ref position, v);
                break;
            case TensorDataType.UInt64:
                foreach (var v in (ulong[])tensor.Data) WriteVarint(destination, ref position, v);
                break;
            case TensorDataType.Int8:
                foreach (var v in (sbyte[])tensor.Data) WriteVarint(destination, ref position, (ulong)(long)v);
                break;
            case TensorDataType.Int16:
                foreach (var v in (short[])tensor.Data) WriteVarint(destination, ref position, (ulong)(long)v);
                break;
            case TensorDataType.Int32:
                foreach (var v in (int[])tensor.Data) WriteVarint(destination, ref position, (ulong)(long)v);
                break;
            case TensorDataType.Int64:
                foreach (var v in (long[])tensor.Data) WriteVarint(destination, ref position, (ulong)v);
                break;
            case TensorDataType.FP32:
                foreach (var v in (float[])tensor.Data)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(destination[position..], v);
                    position += 4;
                }

                break;
            case TensorDataType.FP64:
                foreach (var v in (double[])tensor.Data)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(destination[position..], v);
                    position += 8;
                }

                break;
            default:
                throw new InvalidOperationException($"{tensor.DataType.ToWireName()} has no typed contents field.");
        }
    }

    private static long StringSize(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return 0;
        }

        return MessageSize(Utf8.GetByteCount(value));
    }

    private static long MessageSize(long payload) => 1 + VarintSize((ulong)payload) + payload;

    private static void WriteString(Span<byte> destination, ref int position, byte tag, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        destination[position++] = tag;
        WriteVarint(destination, ref position, (ulong)Utf8.GetByteCount(value));
        position += Utf8.GetBytes(value, destination[position..]);
    }

    // Branch-free: 1 byte per started 7 bits (protobuf's own formula).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int VarintSize(ulong value) => ((System.Numerics.BitOperations.Log2(value | 1) * 9) + 73) / 64;

    // Inlined for the one-byte case (labels, counts, small shapes); longer varints take the loop.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteVarint(Span<byte> destination, ref int position, ulong value)
    {
        if (value < 0x80)
        {
            destination[position++] = (byte)value;
            return;
        }

        WriteLongVarint(destination, ref position, value);
    }

    private static void WriteLongVarint(Span<byte> destination, ref int position, ulong value)
    {
        while (value >= 0x80)
        {
            destination[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[position++] = (byte)value;
    }
}
