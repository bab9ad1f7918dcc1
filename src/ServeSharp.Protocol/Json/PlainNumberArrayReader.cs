using System.Runtime.CompilerServices;
using ServeSharp.Abstractions;

namespace ServeSharp.Protocol.Json;

/// <summary>
/// Decodes tensor data through <see cref="PlainNumberArrayScanner"/>'s fast path. Every method returns null when the
/// fast path declines (unusual content, wrong element count, bad input); the caller then uses the general reader on
/// the same bytes, so answers and error messages never depend on which path ran.
/// </summary>
internal static class PlainNumberArrayReader
{
    /// <summary>A V2 <c>data</c> array of <paramref name="count"/> FP32, FP64, INT32 or INT64 elements.</summary>
    public static Array? TryReadV2(ReadOnlySpan<byte> json, TensorDataType dataType, int count) =>
        ReadV2(json, dataType, count, prefix: false, out _);

    /// <summary>
    /// Like <see cref="TryReadV2"/> for an array at the start of <paramref name="json"/> that anything may follow;
    /// <paramref name="end"/> is the index just after its closing bracket.
    /// </summary>
    public static Array? TryReadV2Prefix(ReadOnlySpan<byte> json, TensorDataType dataType, int count, out int end) =>
        ReadV2(json, dataType, count, prefix: true, out end);

    /// <summary>
    /// A V1 list of rows: INT64 when every number is an integer, otherwise FP64 (what <c>np.array</c> gives),
    /// shaped by the nesting.
    /// </summary>
    public static (long[] Shape, TensorDataType DataType, Array Data)? TryReadV1(ReadOnlySpan<byte> json) =>
        ReadV1(json, prefix: false, out _);

    /// <summary>
    /// Like <see cref="TryReadV1"/> for a list at the start of <paramref name="json"/> that anything may follow;
    /// <paramref name="end"/> is the index just after its closing bracket.
    /// </summary>
    public static (long[] Shape, TensorDataType DataType, Array Data)? TryReadV1Prefix(ReadOnlySpan<byte> json, out int end) =>
        ReadV1(json, prefix: true, out end);

    private static Array? ReadV2(ReadOnlySpan<byte> json, TensorDataType dataType, int count, bool prefix, out int end)
    {
        end = 0;
        switch (dataType)
        {
            case TensorDataType.FP32:
                var singles = new SingleSink(count);
                return Scan(json, ref singles, prefix, out _, out end) && singles.Index == count ? singles.Values : null;
            case TensorDataType.FP64:
                var doubles = new DoubleSink(count);
                return Scan(json, ref doubles, prefix, out _, out end) && doubles.Index == count ? doubles.Values : null;
            case TensorDataType.Int64:
                var longs = new Int64Sink(count, long.MinValue, long.MaxValue);
                return Scan(json, ref longs, prefix, out _, out end) && longs.Index == count ? longs.Values : null;
            case TensorDataType.Int32:
                var ints = new Int64Sink(count, int.MinValue, int.MaxValue);
                return Scan(json, ref ints, prefix, out _, out end) && ints.Index == count ? Array.ConvertAll(ints.Values, v => (int)v) : null;
            default:
                return null;
        }
    }

    private static (long[] Shape, TensorDataType DataType, Array Data)? ReadV1(ReadOnlySpan<byte> json, bool prefix, out int end)
    {
        // Every number but the first follows a comma, however the rows nest ("[[1,2],[3,4]]" has three), so the
        // commas bound the count from above (in a prefix, whatever follows the list only adds commas): the values
        // go straight into an array of the final length, which needs no copy when nothing follows.
        var sink = new V1Sink(json.Count((byte)',') + 1);
        if (!Scan(json, ref sink, prefix, out var shape, out end) || Tensor.GetElementCount(shape) != sink.Count)
        {
            return null;
        }

        return sink.AllIntegers
            ? (shape, TensorDataType.Int64, V1Sink.Trim(sink.Longs, sink.Count))
            : (shape, TensorDataType.FP64, V1Sink.Trim(sink.Doubles, sink.Count));
    }

    private static bool Scan<TSink>(ReadOnlySpan<byte> json, ref TSink sink, bool prefix, out long[] shape, out int end)
        where TSink : struct, IPlainNumberSink
    {
        if (prefix)
        {
            return PlainNumberArrayScanner.TryScanPrefix(json, ref sink, out shape, out end);
        }

        end = json.Length;
        return PlainNumberArrayScanner.TryScan(json, ref sink, out shape);
    }

    private struct SingleSink(int count) : IPlainNumberSink
    {
        public readonly float[] Values = new float[count];
        public int Index;

        public bool Add(in PlainNumber number, ReadOnlySpan<byte> json) =>
            Index < Values.Length && number.TryGetSingle(json, out Values[Index++]);
    }

    private struct DoubleSink(int count) : IPlainNumberSink
    {
        public readonly double[] Values = new double[count];
        public int Index;

        public bool Add(in PlainNumber number, ReadOnlySpan<byte> json) =>
            Index < Values.Length && number.TryGetDouble(json, out Values[Index++]);
    }

    private struct Int64Sink(int count, long min, long max) : IPlainNumberSink
    {
        public readonly long[] Values = new long[count];
        public int Index;

        public bool Add(in PlainNumber number, ReadOnlySpan<byte> json)
        {
            if (Index >= Values.Length || !number.TryGetInt64(out var value) || value < min || value > max)
            {
                return false;
            }

            Values[Index++] = value;
            return true;
        }
    }

    /// <summary>
    /// Collects longs while every number is an integer, doubles from the first fraction on, into arrays sized by the
    /// caller's upper bound on the count (at first at most <see cref="MaxFirstLength"/> elements, doubling from there,
    /// so a body of commas cannot make it allocate for numbers that are not there).
    /// </summary>
    private struct V1Sink(int bound) : IPlainNumberSink
    {
        private const long MaxExactInteger = 1L << 53;
        private const int MaxFirstLength = 1 << 16;

        private readonly int _bound = bound;
        public long[] Longs = [];
        public double[] Doubles = [];
        public int Count;
        public bool AllIntegers = true;

        /// <summary>The first <paramref name="count"/> values: the array itself when it is exactly that long.</summary>
        public static T[] Trim<T>(T[] values, int count) => values.Length == count ? values : values.AsSpan(0, count).ToArray();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Add(in PlainNumber number, ReadOnlySpan<byte> json)
        {
            if (AllIntegers && number.IsInteger)
            {
                if (!number.TryGetInt64(out var value))
                {
                    return false;
                }

                if (Count == Longs.Length)
                {
                    Longs = Grow(Longs, Count);
                }

                Longs[Count++] = value;
                return true;
            }

            if (AllIntegers && !SwitchToDoubles())
            {
                return false;
            }

            if (Count == Doubles.Length)
            {
                Doubles = Grow(Doubles, Count);
            }

            return number.TryGetDouble(json, out Doubles[Count++]);
        }

        private readonly T[] Grow<T>(T[] current, int count)
        {
            // Every element up to Count is written before it is read, and Trim copies out only those.
            var next = GC.AllocateUninitializedArray<T>(Math.Max(count + 1, Math.Min(_bound, Math.Max(count * 2, MaxFirstLength))));
            current.AsSpan(0, count).CopyTo(next);
            return next;
        }

        private bool SwitchToDoubles()
        {
            AllIntegers = false;
            Doubles = Count == 0 ? [] : GC.AllocateUninitializedArray<double>(Longs.Length);

            for (var i = 0; i < Count; i++)
            {
                // Integers beyond 2^53 would round; the general reader decides what they become.
                if (Math.Abs(Longs[i]) > MaxExactInteger)
                {
                    return false;
                }

                Doubles[i] = Longs[i];
            }

            return true;
        }
    }
}
