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
    public static Array? TryReadV2(ReadOnlySpan<byte> json, TensorDataType dataType, int count)
    {
        switch (dataType)
        {
            case TensorDataType.FP32:
                var singles = new SingleSink(count);
                return Scan(json, ref singles) && singles.Index == count ? singles.Values : null;
            case TensorDataType.FP64:
                var doubles = new DoubleSink(count);
                return Scan(json, ref doubles) && doubles.Index == count ? doubles.Values : null;
            case TensorDataType.Int64:
                var longs = new Int64Sink(count, long.MinValue, long.MaxValue);
                return Scan(json, ref longs) && longs.Index == count ? longs.Values : null;
            case TensorDataType.Int32:
                var ints = new Int64Sink(count, int.MinValue, int.MaxValue);
                return Scan(json, ref ints) && ints.Index == count ? Array.ConvertAll(ints.Values, v => (int)v) : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// A V1 list of rows: INT64 when every number is an integer, otherwise FP64 (what <c>np.array</c> gives),
    /// shaped by the nesting.
    /// </summary>
    public static (long[] Shape, TensorDataType DataType, Array Data)? TryReadV1(ReadOnlySpan<byte> json)
    {
        var sink = new V1Sink(json.Length / 4);
        if (!PlainNumberArrayScanner.TryScan(json, ref sink, out var shape) || Tensor.GetElementCount(shape) != sink.Count)
        {
            return null;
        }

        return sink.AllIntegers
            ? (shape, TensorDataType.Int64, sink.Longs.AsSpan(0, sink.Count).ToArray())
            : (shape, TensorDataType.FP64, sink.Doubles.AsSpan(0, sink.Count).ToArray());
    }

    private static bool Scan<TSink>(ReadOnlySpan<byte> json, ref TSink sink)
        where TSink : struct, IPlainNumberSink => PlainNumberArrayScanner.TryScan(json, ref sink, out _);

    private struct SingleSink(int count) : IPlainNumberSink
    {
        public readonly float[] Values = new float[count];
        public int Index;

        public bool Add(in PlainNumber number) =>
            Index < Values.Length && number.TryGetSingle(out Values[Index++]);
    }

    private struct DoubleSink(int count) : IPlainNumberSink
    {
        public readonly double[] Values = new double[count];
        public int Index;

        public bool Add(in PlainNumber number) =>
            Index < Values.Length && number.TryGetDouble(out Values[Index++]);
    }

    private struct Int64Sink(int count, long min, long max) : IPlainNumberSink
    {
        public readonly long[] Values = new long[count];
        public int Index;

        public bool Add(in PlainNumber number)
        {
            if (Index >= Values.Length || !number.TryGetInt64(out var value) || value < min || value > max)
            {
                return false;
            }

            Values[Index++] = value;
            return true;
        }
    }

    /// <summary>Collects longs while every number is an integer, doubles from the first fraction on.</summary>
    private struct V1Sink(int capacity) : IPlainNumberSink
    {
        private const long MaxExactInteger = 1L << 53;

        public long[] Longs = new long[Math.Max(capacity, 4)];
        public double[] Doubles = [];
        public int Count;
        public bool AllIntegers = true;

        public bool Add(in PlainNumber number)
        {
            if (AllIntegers && number.IsInteger)
            {
                if (!number.TryGetInt64(out var value))
                {
                    return false;
                }

                if (Count == Longs.Length)
                {
                    Array.Resize(ref Longs, Longs.Length * 2);
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
                Array.Resize(ref Doubles, Doubles.Length * 2);
            }

            return number.TryGetDouble(out Doubles[Count++]);
        }

        private bool SwitchToDoubles()
        {
            AllIntegers = false;
            Doubles = new double[Longs.Length];
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
