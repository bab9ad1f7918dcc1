using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace ServeSharp.Protocol.Json;

/// <summary>
/// One JSON number as the scanner saw it: sign, up to 19 significant digits and a power-of-ten exponent. Only
/// primitive fields (the text is a range of the scanned JSON), so that the compiler keeps it in registers.
/// </summary>
/// <param name="Negative">A leading minus sign.</param>
/// <param name="Mantissa">The decimal digits as an integer (leading zeros included in the digit count only).</param>
/// <param name="Exponent">The power of ten to apply to <paramref name="Mantissa"/>: minus the number of fraction digits.</param>
/// <param name="IsInteger">No fraction part.</param>
/// <param name="Start">Where the number's UTF-8 text starts in the scanned JSON.</param>
/// <param name="Length">The text's length in bytes.</param>
internal readonly struct PlainNumber(bool Negative, ulong Mantissa, int Exponent, bool IsInteger, int Start, int Length)
{
    private const ulong MaxExactDouble = 1UL << 53;
    private const ulong MaxExactSingle = 1UL << 24;

    private static readonly double[] DoublePowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];

    private static readonly float[] SinglePowersOfTen = [1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    public bool Negative { get; } = Negative;

    public ulong Mantissa { get; } = Mantissa;

    public int Exponent { get; } = Exponent;

    public bool IsInteger { get; } = IsInteger;

    public int Start { get; } = Start;

    public int Length { get; } = Length;

    /// <summary>
    /// The nearest double (<paramref name="json"/> is the scanned JSON). Small mantissas and exponents use Clinger's fast path (both operands exact, so one
    /// correctly rounded IEEE division gives the correctly rounded result); the rest go through the BCL parser,
    /// which is what <c>Utf8JsonReader.TryGetDouble</c> uses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetDouble(ReadOnlySpan<byte> json, out double value)
    {
        if (Mantissa <= MaxExactDouble && (uint)-Exponent < (uint)DoublePowersOfTen.Length)
        {
            // Through long: one conversion instruction (the mantissa fits), where ulong needs a sign fix-up.
            value = (long)Mantissa / DoublePowersOfTen[-Exponent];
            if (Negative)
            {
                value = -value;
            }

            return true;
        }

        return TryParseDouble(json.Slice(Start, Length), out value);
    }

    /// <summary>The nearest float, computed directly in single precision (no double rounding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetSingle(ReadOnlySpan<byte> json, out float value)
    {
        if (Mantissa <= MaxExactSingle && (uint)-Exponent < (uint)SinglePowersOfTen.Length)
        {
            value = (long)Mantissa / SinglePowersOfTen[-Exponent];
            if (Negative)
            {
                value = -value;
            }

            return true;
        }

        return TryParseSingle(json.Slice(Start, Length), out value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseDouble(ReadOnlySpan<byte> text, out double value) =>
        Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && double.IsFinite(value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseSingle(ReadOnlySpan<byte> text, out float value) =>
        Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && float.IsFinite(value);

    /// <summary>The value as a long, when it is an integer that fits.</summary>
    public bool TryGetInt64(out long value)
    {
        value = 0;
        if (!IsInteger || Mantissa > long.MaxValue)
        {
            return false;
        }

        value = Negative ? -(long)Mantissa : (long)Mantissa;
        return true;
    }
}

/// <summary>Receives the numbers of a scanned array in row-major order.</summary>
internal interface IPlainNumberSink
{
    /// <summary>Takes one number of <paramref name="json"/>; returning false abandons the fast path.</summary>
    bool Add(in PlainNumber number, ReadOnlySpan<byte> json);
}

/// <summary>
/// The fast path for the JSON payload almost every inference request carries: arrays, nested to any depth, of
/// plain decimal numbers (<c>-12.5</c>, <c>3</c>; no exponents, nulls, strings or booleans). It checks JSON's number
/// grammar and the bracket structure itself and parses each number once, instead of tokenising with
/// <c>Utf8JsonReader</c> and parsing again. Anything outside that subset — or any malformed input — returns false,
/// and the caller decodes the same bytes with the general reader, which then produces the usual error messages.
/// So the fast path can only decline, never answer differently.
/// </summary>
internal static class PlainNumberArrayScanner
{
    /// <summary>Deepest nesting handled here (deeper arrays fall back to the general reader).</summary>
    public const int MaxRank = 16;

    /// <summary>
    /// Scans <paramref name="json"/>, which must hold exactly one array (surrounding whitespace allowed). On success
    /// <paramref name="shape"/> holds the array's rectangular shape (every row the same length, every number at the
    /// same depth) and the sink has seen every number.
    /// </summary>
    public static bool TryScan<TSink>(ReadOnlySpan<byte> json, ref TSink sink, out long[] shape)
        where TSink : struct, IPlainNumberSink
    {
        if (!TryScanPrefix(json, ref sink, out shape, out var end) || SkipWhitespace(json, end) != json.Length)
        {
            shape = [];
            return false;
        }

        return true;
    }

    /// <summary>
    /// Like <see cref="TryScan"/>, but the array may be followed by anything: <paramref name="end"/> is the index just
    /// after its closing bracket. Lets a JSON reader skip the array without tokenising it (see
    /// <see cref="JsonReaderJump"/>).
    /// </summary>
    public static bool TryScanPrefix<TSink>(ReadOnlySpan<byte> json, ref TSink sink, out long[] shape, out int end)
        where TSink : struct, IPlainNumberSink
    {
        shape = [];
        end = 0;
        Span<long> dims = stackalloc long[MaxRank];
        Span<long> counts = stackalloc long[MaxRank];
        dims.Fill(-1);
        var depth = 0;
        var leafDepth = -1;
        var i = SkipWhitespace(json, 0);
        if (i >= json.Length || json[i] != (byte)'[')
        {
            return false;
        }

        while (true)
        {
            i = SkipWhitespace(json, i);
            if (i >= json.Length)
            {
                return false;
            }

            var c = json[i];
            if (c == (byte)'[')
            {
                if (depth == MaxRank || (leafDepth >= 0 && depth >= leafDepth))
                {
                    return false;
                }

                if (depth > 0)
                {
                    counts[depth - 1]++;
                }

                counts[depth] = 0;
                depth++;
                i++;
                continue;
            }

            // Here a value must follow: ']' would close an empty array (no element type to check) or follow a
            // trailing comma; the general reader handles both.
            if (c == (byte)']' || depth == 0)
            {
                return false;
            }

            if (leafDepth < 0)
            {
                leafDepth = depth;
            }
            else if (leafDepth != depth)
            {
                return false;
            }

            if (!TryReadNumber(json, ref i, out var number) || !sink.Add(number, json))
            {
                return false;
            }

            // The rest of a row ("1.5,2,3"): a comma directly followed by a number needs none of the checks above.
            long row = 1;
            while ((uint)(i + 1) < (uint)json.Length && json[i] == (byte)',' && IsNumberStart(json[i + 1]))
            {
                i++;
                if (!TryReadNumber(json, ref i, out number) || !sink.Add(number, json))
                {
                    return false;
                }

                row++;
            }

            counts[depth - 1] += row;

            // After a value: ',' continues the current array, ']' closes it.
            while (true)
            {
                if (depth == 0)
                {
                    end = i;
                    shape = dims[..leafDepth].ToArray();
                    return true;
                }

                i = SkipWhitespace(json, i);

                if (i >= json.Length)
                {
                    return false;
                }

                if (json[i] == (byte)',')
                {
                    i++;
                    break;
                }

                if (json[i] != (byte)']' || !CloseArray(dims, counts, ref depth))
                {
                    return false;
                }

                i++;
            }
        }
    }

    private static bool CloseArray(Span<long> dims, Span<long> counts, ref int depth)
    {
        depth--;
        var length = counts[depth];
        if (dims[depth] < 0)
        {
            dims[depth] = length;
        }
        else if (dims[depth] != length)
        {
            return false;
        }

        return true;
    }

    /// <summary>The index of the first byte at or after <paramref name="i"/> that is not JSON whitespace.</summary>
    /// <remarks>Inlined with its first test up front: between numbers there is usually no whitespace at all.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        if ((uint)i < (uint)json.Length && json[i] > (byte)' ')
        {
            return i;
        }

        return SkipWhitespaceSlow(json, i);
    }

    private static int SkipWhitespaceSlow(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    /// <summary>JSON's number grammar without the exponent part: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?</c>.</summary>
    /// <remarks>
    /// Works on a local index and tests each byte once; the significant-digit count is checked after each part
    /// rather than per digit (a longer run only wastes the loop, its wrapped mantissa is never used).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadNumber(ReadOnlySpan<byte> json, ref int i, out PlainNumber number)
    {
        // number is assigned on each way out, not cleared first: a cleared struct that is then filled in field by
        // field went through memory.
        var start = i;
        var p = i;
        var negative = json[p] == (byte)'-';
        if (negative)
        {
            p++;
        }

        uint digit;
        if ((uint)p >= (uint)json.Length || (digit = (uint)(json[p] - '0')) > 9)
        {
            number = default;
            return false;
        }

        p++;
        ulong mantissa = digit;
        var digits = 1;
        if (digit == 0)
        {
            // A leading zero is the whole integer part (JSON has no 012), and not a significant digit.
            digits = 0;
            if ((uint)p < (uint)json.Length && (uint)(json[p] - '0') <= 9)
            {
                number = default;
                return false;
            }
        }
        else
        {
            while ((uint)p < (uint)json.Length && (digit = (uint)(json[p] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                digits++;
                p++;
            }

            if (digits > 19)
            {
                number = default;
                return false;
            }
        }

        var exponent = 0;
        var isInteger = true;
        if ((uint)p < (uint)json.Length && json[p] == (byte)'.')
        {
            isInteger = false;
            p++;
            var fractionStart = p;
            while ((uint)p < (uint)json.Length && (digit = (uint)(json[p] - '0')) <= 9)
            {
                // Leading zeros of the fraction (0.000123) are not significant digits; every digit after the first
                // non-zero one is, whatever the (possibly wrapped) mantissa holds by then.
                if (mantissa != 0 || digit != 0)
                {
                    digits++;
                }

                mantissa = (mantissa * 10) + digit;
                p++;
            }

            exponent = fractionStart - p;
            if (exponent == 0 || digits > 19)
            {
                number = default;
                return false;
            }
        }

        if ((uint)p < (uint)json.Length && (json[p] | 0x20) == (byte)'e')
        {
            number = default;
            return false;
        }

        i = p;
        number = new PlainNumber(negative, mantissa, exponent, isInteger, start, p - start);
        return true;
    }

    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    private static bool IsNumberStart(byte c) => c == (byte)'-' || IsDigit(c);
}
