using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace ServeSharp.Protocol.Grpc;

/// <summary>
/// Decodes the usual <c>ModelInferRequest</c> — <c>model_name</c>, <c>model_version</c>, <c>id</c> and inputs made of
/// <c>name</c>, <c>datatype</c>, <c>shape</c> and one packed typed <c>contents</c> field — straight from the wire,
/// without the generated message graph (maps, eight repeated fields per contents, copies). Anything else (request or
/// tensor parameters, requested outputs, raw contents, unknown or repeated-message fields, unpacked repeated
/// scalars, invalid UTF-8, malformed bytes) returns null, and the generated parser reads the message instead, so
/// this can only decline, never answer differently.
/// </summary>
internal static class ModelInferCallDecoder
{
    private const int LengthDelimited = 2;
    private const int VarintType = 0;

    /// <summary>The decoded request, or null to leave it to the generated parser.</summary>
    public static ModelInferCall? TryDecode(ReadOnlySpan<byte> message)
    {
        var reader = new Reader(message);
        string modelName = string.Empty, modelVersion = string.Empty, id = string.Empty;
        var inputs = new List<ModelInferCallInput>(1);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType) || wireType != LengthDelimited
                || !reader.TryReadLengthDelimited(out var payload))
            {
                return null;
            }

            switch (field)
            {
                case 1:
                    if (!TryString(payload, out modelName)) return null;
                    break;
                case 2:
                    if (!TryString(payload, out modelVersion)) return null;
                    break;
                case 3:
                    if (!TryString(payload, out id)) return null;
                    break;
                case 5:
                    if (TryDecodeInput(payload) is not { } input) return null;
                    inputs.Add(input);
                    break;
                default:
                    return null;
            }
        }

        return new ModelInferCall(modelName, modelVersion, id, [.. inputs]);
    }

    private static ModelInferCallInput? TryDecodeInput(ReadOnlySpan<byte> message)
    {
        var reader = new Reader(message);
        string name = string.Empty, datatype = string.Empty;
        long[] shape = [];
        ModelInferCallContents? contents = null;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return null;
            }

            if (field == 3 && wireType == VarintType)
            {
                // An unpacked shape entry (legal protobuf; the generated parser accepts it too).
                if (!reader.TryReadVarint(out var dim)) return null;
                shape = [.. shape, (long)dim];
                continue;
            }

            if (wireType != LengthDelimited || !reader.TryReadLengthDelimited(out var payload))
            {
                return null;
            }

            switch (field)
            {
                case 1:
                    if (!TryString(payload, out name)) return null;
                    break;
                case 2:
                    if (!TryString(payload, out datatype)) return null;
                    break;
                case 3:
                    if (!TryLongs(payload, out var dims)) return null;
                    shape = shape.Length == 0 ? dims : [.. shape, .. dims];
                    break;
                case 5:
                    // A second contents field would be merged into the first by protobuf: leave that to the parser.
                    if (contents is not null || TryDecodeContents(payload) is not { } decoded) return null;
                    contents = decoded;
                    break;
                default:
                    return null;
            }
        }

        return new ModelInferCallInput(name, datatype, shape, contents ?? ModelInferCallContents.None);
    }

    private static ModelInferCallContents? TryDecodeContents(ReadOnlySpan<byte> message)
    {
        var reader = new Reader(message);
        ModelInferCallContents? contents = null;
        List<byte[]>? bytes = null;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType) || wireType != LengthDelimited
                || !reader.TryReadLengthDelimited(out var payload))
            {
                return null;
            }

            if (field == 8)
            {
                // bytes_contents: one element per field occurrence; nothing else may be mixed in.
                if (contents is not null) return null;
                (bytes ??= []).Add(payload.ToArray());
                continue;
            }

            // One packed field, once: several chunks or several fields are left to the generated parser.
            if (contents is not null || bytes is not null)
            {
                return null;
            }

            contents = field switch
            {
                1 => TryVarints(payload, out var v) ? new ModelInferCallContents { Bool = Array.ConvertAll(v, x => x != 0) } : null,
                2 => TryVarints(payload, out var v) ? new ModelInferCallContents { Int = Array.ConvertAll(v, x => (int)x) } : null,
                3 => TryLongs(payload, out var v) ? new ModelInferCallContents { Int64 = v } : null,
                4 => TryVarints(payload, out var v) ? new ModelInferCallContents { UInt = Array.ConvertAll(v, x => (uint)x) } : null,
                5 => TryVarints(payload, out var v) ? new ModelInferCallContents { UInt64 = v } : null,
                6 => payload.Length % 4 == 0 ? new ModelInferCallContents { Fp32 = Fixed<float>(payload) } : null,
                7 => payload.Length % 8 == 0 ? new ModelInferCallContents { Fp64 = Fixed<double>(payload) } : null,
                _ => null,
            };
            if (contents is null)
            {
                return null;
            }
        }

        return bytes is not null ? new ModelInferCallContents { Bytes = [.. bytes] } : contents ?? ModelInferCallContents.None;
    }

    // Packed fixed-width fields (fp32, fp64) are little-endian IEEE values: on a little-endian machine, the bytes of
    // the array; elsewhere each value's bytes are reversed. The caller checked that the length is a whole number of them.
    private static T[] Fixed<T>(ReadOnlySpan<byte> payload)
        where T : unmanaged
    {
        var values = MemoryMarshal.Cast<byte, T>(payload).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            for (var i = 0; i < bytes.Length; i += Unsafe.SizeOf<T>())
            {
                bytes.Slice(i, Unsafe.SizeOf<T>()).Reverse();
            }
        }

        return values;
    }

    private static bool TryVarints(ReadOnlySpan<byte> payload, out ulong[] values)
    {
        // Every varint ends with a byte below 0x80: counting those counts the values.
        var count = payload.Length - CountContinuationBytes(payload);
        values = new ulong[count];
        var reader = new Reader(payload);
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadVarint(out values[i]))
            {
                return false;
            }
        }

        return reader.End;
    }

    private static bool TryLongs(ReadOnlySpan<byte> payload, out long[] values)
    {
        values = new long[payload.Length - CountContinuationBytes(payload)];
        var reader = new Reader(payload);
        for (var i = 0; i < values.Length; i++)
        {
            if (!reader.TryReadVarint(out var value))
            {
                return false;
            }

            values[i] = (long)value;
        }

        return reader.End;
    }

    private static int CountContinuationBytes(ReadOnlySpan<byte> payload)
    {
        var count = 0;
        foreach (var b in payload)
        {
            count += b >> 7;
        }

        return count;
    }

    private static bool TryString(ReadOnlySpan<byte> payload, out string value)
    {
        if (!Utf8.IsValid(payload))
        {
            value = string.Empty;
            return false;
        }

        value = payload.IsEmpty ? string.Empty : Encoding.UTF8.GetString(payload);
        return true;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool End => _position >= _data.Length;

        public bool TryReadTag(out int field, out int wireType)
        {
            field = 0;
            wireType = 0;
            if (!TryReadVarint(out var tag) || tag > uint.MaxValue || (tag >> 3) == 0)
            {
                return false;
            }

            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            return true;
        }

        public bool TryReadLengthDelimited(out ReadOnlySpan<byte> payload)
        {
            payload = default;
            if (!TryReadVarint(out var length) || length > (ulong)(_data.Length - _position))
            {
                return false;
            }

            payload = _data.Slice(_position, (int)length);
            _position += (int)length;
            return true;
        }

        public bool TryReadVarint(out ulong value)
        {
            value = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                if (_position >= _data.Length)
                {
                    return false;
                }

                var b = _data[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return true;
                }
            }

            return false; // more than ten bytes
        }
    }
}
