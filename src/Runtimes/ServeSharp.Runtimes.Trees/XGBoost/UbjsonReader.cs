using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ServeSharp.Runtimes.Trees.XGBoost;

/// <summary>
/// Parses Universal Binary JSON (the format of XGBoost's <c>.ubj</c> files) into a <see cref="JsonNode"/> tree,
/// including the optimised <c>$type#count</c> containers XGBoost uses for its arrays. Every length is checked
/// against the bytes that remain, so a lying length fails instead of allocating.
/// </summary>
internal sealed class UbjsonReader
{
    private const int MaxDepth = 64;
    private readonly byte[] _bytes;
    private int _pos;

    private UbjsonReader(byte[] bytes) => _bytes = bytes;

    /// <summary>Parses a whole document.</summary>
    /// <exception cref="FormatException">The data is not valid UBJSON; the message gives the byte offset.</exception>
    public static JsonNode? Parse(byte[] bytes)
    {
        var reader = new UbjsonReader(bytes);
        var value = reader.ReadValue(reader.ReadMarker(), 0);
        if (reader._pos != bytes.Length)
        {
            throw reader.Error("unexpected data after the end of the document");
        }

        return value;
    }

    private byte ReadMarker()
    {
        while (true)
        {
            var m = ReadByte();
            if (m != 'N')
            {
                return m;
            }
        }
    }

    private JsonNode? ReadValue(byte marker, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error($"nesting deeper than {MaxDepth}");
        }

        switch (marker)
        {
            case (byte)'{':
                return ReadObject(depth);
            case (byte)'[':
                return ReadArray(depth);
            case (byte)'Z':
                return null;
            case (byte)'T':
                return JsonValue.Create(true);
            case (byte)'F':
                return JsonValue.Create(false);
            case (byte)'S':
                return JsonValue.Create(ReadString());
            case (byte)'C':
                return JsonValue.Create(((char)ReadByte()).ToString());
            case (byte)'H':
                var text = ReadString();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var h)
                    ? JsonValue.Create(h)
                    : throw Error("invalid high-precision number");
            default:
                return JsonValue.Create(ReadNumber(marker));
        }
    }

    private double ReadNumber(byte marker)
    {
        switch (marker)
        {
            case (byte)'i': return (sbyte)ReadByte();
            case (byte)'U': return ReadByte();
            case (byte)'I': return BinaryPrimitives.ReadInt16BigEndian(Take(2));
            case (byte)'l': return BinaryPrimitives.ReadInt32BigEndian(Take(4));
            case (byte)'L': return BinaryPrimitives.ReadInt64BigEndian(Take(8));
            case (byte)'d': return BinaryPrimitives.ReadSingleBigEndian(Take(4));
            case (byte)'D': return BinaryPrimitives.ReadDoubleBigEndian(Take(8));
            default:
                _pos--;
                throw Error($"unknown type marker 0x{marker:x2}");
        }
    }

    private long ReadLength()
    {
        var marker = ReadByte();
        var value = marker switch
        {
            (byte)'i' or (byte)'U' or (byte)'I' or (byte)'l' or (byte)'L' => (long)ReadNumber(marker),
            _ => throw Error("expected an integer length"),
        };
        if (value < 0 || value > _bytes.Length - _pos)
        {
            throw Error($"length {value} exceeds the {_bytes.Length - _pos} bytes left");
        }

        return value;
    }

    private string ReadString()
    {
        var length = (int)ReadLength();
        return Encoding.UTF8.GetString(Take(length));
    }

    private (byte? Type, long Count) ReadContainerHeader()
    {
        byte? type = null;
        long count = -1;
        if (Peek() == '$')
        {
            _pos++;
            type = ReadByte();
            if (Peek() != '#')
            {
                throw Error("a typed container needs a count");
            }
        }

        if (Peek() == '#')
        {
            _pos++;
            count = ReadLength();
            var minSize = type switch
            {
                (byte)'i' or (byte)'U' or (byte)'C' => 1,
                (byte)'I' => 2,
                (byte)'l' or (byte)'d' => 4,
                (byte)'L' or (byte)'D' => 8,
                (byte)'Z' or (byte)'T' or (byte)'F' or (byte)'N' => 0,
                _ => 1,
            };
            if (count * minSize > _bytes.Length - _pos)
            {
                throw Error($"container of {count} elements exceeds the {_bytes.Length - _pos} bytes left");
            }
        }

        return (type, count);
    }

    private JsonArray ReadArray(int depth)
    {
        var (type, count) = ReadContainerHeader();
        var array = new JsonArray();
        if (count >= 0)
        {
            for (long i = 0; i < count; i++)
            {
                array.Add(ReadValue(type ?? ReadMarker(), depth + 1));
            }

            return array;
        }

        while (true)
        {
            var marker = ReadMarker();
            if (marker == ']')
            {
                return array;
            }

            array.Add(ReadValue(marker, depth + 1));
        }
    }

    private JsonObject ReadObject(int depth)
    {
        var (type, count) = ReadContainerHeader();
        var obj = new JsonObject();
        if (count >= 0)
        {
            for (long i = 0; i < count; i++)
            {
                var key = ReadString();
                obj[key] = ReadValue(type ?? ReadMarker(), depth + 1);
            }

            return obj;
        }

        while (true)
        {
            if (Peek() == '}')
            {
                _pos++;
                return obj;
            }

            var key = ReadString();
            obj[key] = ReadValue(ReadMarker(), depth + 1);
        }
    }

    private byte Peek() => _pos < _bytes.Length ? _bytes[_pos] : throw Error("unexpected end of file");

    private byte ReadByte() => _pos < _bytes.Length ? _bytes[_pos++] : throw Error("unexpected end of file");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _bytes.Length - _pos)
        {
            throw Error("unexpected end of file");
        }

        var span = _bytes.AsSpan(_pos, count);
        _pos += count;
        return span;
    }

    private FormatException Error(string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"invalid UBJSON at byte {_pos}: {what}"));
}
