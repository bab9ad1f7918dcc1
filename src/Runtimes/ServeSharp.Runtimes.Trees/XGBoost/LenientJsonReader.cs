using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ServeSharp.Runtimes.Trees.XGBoost;

/// <summary>
/// Parses XGBoost's JSON model files into a <see cref="JsonNode"/> tree. XGBoost writes non-finite floats as the bare
/// tokens <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> (e.g. in <c>split_conditions</c> of categorical nodes),
/// which System.Text.Json rejects, hence this small reader. Nesting is limited so a hostile file cannot overflow
/// the stack.
/// </summary>
internal sealed class LenientJsonReader
{
    private const int MaxDepth = 64;
    private readonly byte[] _bytes;
    private int _pos;

    private LenientJsonReader(byte[] bytes) => _bytes = bytes;

    /// <summary>Parses a whole document.</summary>
    /// <exception cref="FormatException">The text is not valid (lenient) JSON; the message gives the byte offset.</exception>
    public static JsonNode? Parse(byte[] bytes)
    {
        var reader = new LenientJsonReader(bytes);
        var value = reader.ReadValue(0);
        reader.SkipWhitespace();
        if (reader._pos != bytes.Length)
        {
            throw reader.Error("unexpected data after the end of the document");
        }

        return value;
    }

    private JsonNode? ReadValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error($"nesting deeper than {MaxDepth}");
        }

        SkipWhitespace();
        if (_pos >= _bytes.Length)
        {
            throw Error("unexpected end of file");
        }

        switch (_bytes[_pos])
        {
            case (byte)'{':
                return ReadObject(depth);
            case (byte)'[':
                return ReadArray(depth);
            case (byte)'"':
                return JsonValue.Create(ReadString());
            case (byte)'t':
                Expect("true");
                return JsonValue.Create(true);
            case (byte)'f':
                Expect("false");
                return JsonValue.Create(false);
            case (byte)'n':
                Expect("null");
                return null;
            case (byte)'N':
                Expect("NaN");
                return JsonValue.Create(double.NaN);
            case (byte)'I':
                Expect("Infinity");
                return JsonValue.Create(double.PositiveInfinity);
            default:
                return JsonValue.Create(ReadNumber());
        }
    }

    private JsonObject ReadObject(int depth)
    {
        _pos++;
        var obj = new JsonObject();
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            return obj;
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw Error("expected a property name");
            }

            var key = ReadString();
            SkipWhitespace();
            if (Peek() != ':')
            {
                throw Error("expected ':'");
            }

            _pos++;
            var value = ReadValue(depth + 1);
            obj[key] = value;
            SkipWhitespace();
            var c = Next();
            if (c == '}')
            {
                return obj;
            }

            if (c != ',')
            {
                throw Error("expected ',' or '}'");
            }
        }
    }

    private JsonArray ReadArray(int depth)
    {
        _pos++;
        var array = new JsonArray();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _pos++;
            return array;
        }

        while (true)
        {
            array.Add(ReadValue(depth + 1));
            SkipWhitespace();
            var c = Next();
            if (c == ']')
            {
                return array;
            }

            if (c != ',')
            {
                throw Error("expected ',' or ']'");
            }
        }
    }

    private double ReadNumber()
    {
        var start = _pos;
        if (Peek() == '-')
        {
            _pos++;
            if (Peek() == 'I')
            {
                Expect("Infinity");
                return double.NegativeInfinity;
            }
        }

        while (_pos < _bytes.Length && _bytes[_pos] is (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-')
        {
            _pos++;
        }

        var text = Encoding.ASCII.GetString(_bytes, start, _pos - start);
        if (text.Length == 0 || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw Error("invalid number or token");
        }

        return value;
    }

    private string ReadString()
    {
        _pos++;
        var sb = new StringBuilder();
        var start = _pos;
        while (true)
        {
            if (_pos >= _bytes.Length)
            {
                throw Error("unterminated string");
            }

            var b = _bytes[_pos];
            if (b == '"')
            {
                sb.Append(Encoding.UTF8.GetString(_bytes, start, _pos - start));
                _pos++;
                return sb.ToString();
            }

            if (b == '\\')
            {
                sb.Append(Encoding.UTF8.GetString(_bytes, start, _pos - start));
                _pos++;
                var e = Next();
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (_pos + 4 > _bytes.Length
                            || !int.TryParse(Encoding.ASCII.GetString(_bytes, _pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        {
                            throw Error("invalid \\u escape");
                        }

                        sb.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        throw Error("invalid escape");
                }

                start = _pos;
                continue;
            }

            _pos++;
        }
    }

    private void Expect(string token)
    {
        if (_pos + token.Length > _bytes.Length)
        {
            throw Error($"expected '{token}'");
        }

        for (var i = 0; i < token.Length; i++)
        {
            if (_bytes[_pos + i] != token[i])
            {
                throw Error($"expected '{token}'");
            }
        }

        _pos += token.Length;
    }

    private char Peek() => _pos < _bytes.Length ? (char)_bytes[_pos] : '\0';

    private char Next() => _pos < _bytes.Length ? (char)_bytes[_pos++] : throw Error("unexpected end of file");

    private void SkipWhitespace()
    {
        while (_pos < _bytes.Length && _bytes[_pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            _pos++;
        }
    }

    private FormatException Error(string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"invalid JSON at byte {_pos}: {what}"));
}
