using System.Globalization;
using System.Text;
using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.Tests.Json;

/// <summary>
/// The fast path must give bit-identical values to the general reader (Utf8JsonReader + the BCL parsers) whenever it
/// answers, and must decline everything it does not fully understand.
/// </summary>
public sealed class PlainNumberArrayReaderTests
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    [Fact]
    public void Singles_AreBitIdenticalToTheGeneralReader_ForManyRandomDecimals()
    {
        var random = new Random(1234);
        var texts = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            texts.Add(RandomDecimal(random));
        }

        var json = "[" + string.Join(",", texts) + "]";
        var fast = (float[])PlainNumberArrayReader.TryReadV2(Encoding.UTF8.GetBytes(json), TensorDataType.FP32, texts.Count)!;
        var slow = (float[])ReadGeneral(json, TensorDataType.FP32, texts.Count);
        Assert.NotNull(fast);
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(slow[i]) == BitConverter.SingleToInt32Bits(fast[i]),
                $"{texts[i]}: general {slow[i]:R}, fast {fast[i]:R}");
        }
    }

    [Fact]
    public void Doubles_AreBitIdenticalToTheGeneralReader_ForManyRandomDecimals()
    {
        var random = new Random(99);
        var texts = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            texts.Add(i % 3 == 0 ? random.NextDouble().ToString("R", Invariant) : RandomDecimal(random));
        }

        texts.RemoveAll(t => t.Contains('E', StringComparison.Ordinal));
        var json = "[" + string.Join(", ", texts) + "]";
        var fast = (double[])PlainNumberArrayReader.TryReadV2(Encoding.UTF8.GetBytes(json), TensorDataType.FP64, texts.Count)!;
        var slow = (double[])ReadGeneral(json, TensorDataType.FP64, texts.Count);
        Assert.NotNull(fast);
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.True(
                BitConverter.DoubleToInt64Bits(slow[i]) == BitConverter.DoubleToInt64Bits(fast[i]),
                $"{texts[i]}: general {slow[i]:R}, fast {fast[i]:R}");
        }
    }

    [Theory]
    [InlineData("[[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]", 8)]
    [InlineData("[ [ [1,2],[3,4] ] , [ [5,6],[7,8] ] ]", 8)]
    [InlineData("\n[-0, 0, 0.0, -0.0]\t", 4)]
    [InlineData("[16777217, 0.1234567891, 123456789012345678]", 3)]
    [InlineData("[[1,-2,-0.5,0],[-0,3.25,-7,10]]", 8)] // rows without whitespace: the scanner's row loop
    [InlineData("[0.000000000000000000000001234, 1234567890123456789, 0.1234567890123456789, 1.000000000000000001]", 4)] // 19 significant digits
    public void Nested_AndEdgeValues_MatchTheGeneralReader(string json, int count)
    {
        foreach (var type in new[] { TensorDataType.FP32, TensorDataType.FP64 })
        {
            var fast = PlainNumberArrayReader.TryReadV2(Encoding.UTF8.GetBytes(json), type, count);
            Assert.NotNull(fast);
            var slow = ReadGeneral(json, type, count);
            Assert.Equal(Bits(slow), Bits(fast!));
        }
    }

    [Theory]
    [InlineData("[1,2,3]", TensorDataType.Int64, 3)]
    [InlineData("[[-9223372036854775807, 9223372036854775807]]", TensorDataType.Int64, 2)]
    [InlineData("[2147483647, -2147483648]", TensorDataType.Int32, 2)]
    public void Integers_MatchTheGeneralReader(string json, TensorDataType type, int count)
    {
        var fast = PlainNumberArrayReader.TryReadV2(Encoding.UTF8.GetBytes(json), type, count);
        Assert.NotNull(fast);
        Assert.Equal(Bits(ReadGeneral(json, type, count)), Bits(fast!));
    }

    [Theory]
    [InlineData("[1,2,3]", 4)] // wrong count: the general reader words the error
    [InlineData("[1,2,3]", 2)]
    [InlineData("[01]", 1)]
    [InlineData("[1.]", 1)]
    [InlineData("[.5]", 1)]
    [InlineData("[-]", 1)]
    [InlineData("[1e5]", 1)]
    [InlineData("[1E-2]", 1)]
    [InlineData("[1,]", 1)]
    [InlineData("[,1]", 1)]
    [InlineData("[1 2]", 2)]
    [InlineData("[1,,2]", 2)]
    [InlineData("[[1],2]", 2)]
    [InlineData("[[1,2],[3]]", 3)]
    [InlineData("[[1,2],[3,4]] x", 4)]
    [InlineData("[1,2", 2)]
    [InlineData("[null]", 1)]
    [InlineData("[\"1\"]", 1)]
    [InlineData("[true]", 1)]
    [InlineData("[]", 0)]
    [InlineData("[[]]", 0)]
    [InlineData("{\"a\":1}", 1)]
    [InlineData("[12345678901234567890]", 1)]
    [InlineData("[0.12345678901234567890]", 1)]
    [InlineData("[NaN]", 1)]
    [InlineData("[1,-]", 2)] // the same damage inside a row, where the row loop reads the numbers
    [InlineData("[1,-x]", 2)]
    [InlineData("[1,2,01]", 3)]
    [InlineData("[1,2.]", 2)]
    [InlineData("[1,2e3]", 2)]
    [InlineData("[1,2,]", 2)]
    [InlineData("[1,2,3", 3)]
    [InlineData("[[1,2],[3,4,5]]", 5)]
    [InlineData("[1,2,12345678901234567890]", 3)]
    [InlineData("[18446744073709551616]", 1)] // 20 digits whose mantissa wraps to exactly 0
    [InlineData("[0.18446744073709551616]", 1)]
    [InlineData("[1,0.000018446744073709551616]", 2)]
    [InlineData("[1.5E3]", 1)]
    [InlineData("[-5e1]", 1)]
    public void UnusualOrMalformedInput_IsDeclined(string json, int count)
    {
        Assert.Null(PlainNumberArrayReader.TryReadV2(Encoding.UTF8.GetBytes(json), TensorDataType.FP32, count));
        Assert.Null(PlainNumberArrayReader.TryReadV2(Encoding.UTF8.GetBytes(json), TensorDataType.FP64, count));
    }

    [Theory]
    [InlineData("[2147483648]", TensorDataType.Int32)]
    [InlineData("[1.5]", TensorDataType.Int64)]
    [InlineData("[9223372036854775808]", TensorDataType.Int64)]
    [InlineData("[1]", TensorDataType.Bool)]
    [InlineData("[1]", TensorDataType.UInt8)]
    public void OutOfRangeIntegers_AndOtherTypes_AreDeclined(string json, TensorDataType type) =>
        Assert.Null(PlainNumberArrayReader.TryReadV2(Encoding.UTF8.GetBytes(json), type, 1));

    [Fact]
    public void V1_AllIntegers_GivesInt64WithTheNestingAsShape()
    {
        var result = PlainNumberArrayReader.TryReadV1("[[1, 2, 3], [4, 5, -6]]"u8);
        Assert.NotNull(result);
        var (shape, type, data) = result.Value;
        Assert.Equal([2L, 3L], shape);
        Assert.Equal(TensorDataType.Int64, type);
        Assert.Equal([1L, 2, 3, 4, 5, -6], (long[])data);
    }

    [Fact]
    public void V1_AnyFraction_GivesFP64ForEveryValue()
    {
        var result = PlainNumberArrayReader.TryReadV1("[[6, 2.8], [4, 1.4], [7, 0]]"u8);
        Assert.NotNull(result);
        var (shape, type, data) = result.Value;
        Assert.Equal([3L, 2L], shape);
        Assert.Equal(TensorDataType.FP64, type);
        Assert.Equal([6.0, 2.8, 4.0, 1.4, 7.0, 0.0], (double[])data);
    }

    [Fact]
    public void V1_ManyRows_GrowsItsBuffers()
    {
        var rows = Enumerable.Range(0, 5000).Select(i => $"[{i}, {i}.5]");
        var result = PlainNumberArrayReader.TryReadV1(Encoding.UTF8.GetBytes("[" + string.Join(",", rows) + "]"));
        Assert.NotNull(result);
        var data = (double[])result.Value.Data;
        Assert.Equal([5000L, 2L], result.Value.Shape);
        Assert.Equal(4999.5, data[^1]);
    }

    [Fact]
    public void V1_PastTheFirstAllocation_GrowsAndKeepsEveryNumber()
    {
        // 70,000 integers (the first array holds 65,536), then a fraction that turns them all into doubles.
        var json = "[" + string.Join(",", Enumerable.Range(0, 70_000).Select(i => i.ToString(Invariant))) + ", 0.5]";
        var result = PlainNumberArrayReader.TryReadV1(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(result);
        Assert.Equal(TensorDataType.FP64, result.Value.DataType);
        var data = (double[])result.Value.Data;
        Assert.Equal(70_001, data.Length);
        Assert.Equal(Enumerable.Range(0, 70_000).Select(i => (double)i), data[..70_000]);
        Assert.Equal(0.5, data[^1]);
    }

    [Theory]
    [InlineData("}")]
    [InlineData(", \"parameters\": {\"a\": [1, 2, 3], \"b\": \"x,y,z\"}}")] // commas after the list: a shorter array
    public void V1Prefix_WhateverFollowsTheList_ReadsTheListAlone(string rest)
    {
        var json = Encoding.UTF8.GetBytes("[[1.5, 2], [3, 4]]" + rest);
        var result = PlainNumberArrayReader.TryReadV1Prefix(json, out var end);
        Assert.NotNull(result);
        Assert.Equal([2L, 2L], result.Value.Shape);
        Assert.Equal([1.5, 2, 3, 4], (double[])result.Value.Data);
        Assert.Equal(18, end);

        var integers = PlainNumberArrayReader.TryReadV1Prefix(Encoding.UTF8.GetBytes("[7, 8]" + rest), out end);
        Assert.Equal([7L, 8L], (long[])integers!.Value.Data);
        Assert.Equal(6, end);
    }

    [Theory]
    [InlineData("[9007199254740993, 0.5]")] // an integer beyond 2^53 next to a fraction: the general reader decides
    [InlineData("[[1,2],[3]]")]
    [InlineData("[1, null]")]
    [InlineData("[]")]
    public void V1_UnusualInput_IsDeclined(string json) =>
        Assert.Null(PlainNumberArrayReader.TryReadV1(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void RandomNestingWhitespaceAndDamage_AnswerLikeTheGeneralReaderOrDecline()
    {
        // Rectangular arrays of rank 1-3 with random whitespace between tokens: the fast path must answer, with the
        // general reader's values and the nesting as V1 shape. The same texts with one character dropped, doubled or
        // replaced by a bracket or comma: wherever the general reader fails the fast path must decline, and wherever
        // the fast path answers it must agree.
        var random = new Random(2026);
        string[] spaces = ["", "", "", " ", "\n", "\t", "\r\n ", "  "];
        for (var n = 0; n < 3000; n++)
        {
            var shape = Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(1, 5)).ToArray();
            var count = shape.Aggregate(1, (a, b) => a * b);
            var texts = Enumerable.Range(0, count).Select(_ => RandomDecimal(random)).ToArray();
            var next = 0;
            string Build(int dim)
            {
                var parts = Enumerable.Range(0, shape[dim])
                    .Select(_ => spaces[random.Next(spaces.Length)] + (dim == shape.Length - 1 ? texts[next++] : Build(dim + 1)) + spaces[random.Next(spaces.Length)]);
                return "[" + string.Join(",", parts) + "]";
            }

            var json = spaces[random.Next(spaces.Length)] + Build(0) + spaces[random.Next(spaces.Length)];
            var fast = PlainNumberArrayReader.TryReadV2(Encoding.UTF8.GetBytes(json), TensorDataType.FP64, count);
            Assert.True(fast is not null, json);
            Assert.Equal(Bits(ReadGeneral(json, TensorDataType.FP64, count)), Bits(fast!));
            var v1 = PlainNumberArrayReader.TryReadV1(Encoding.UTF8.GetBytes(json));
            Assert.True(v1 is not null, json);
            Assert.Equal(shape.Select(d => (long)d), v1!.Value.Shape);

            var at = random.Next(json.Length);
            var damaged = random.Next(4) switch
            {
                0 => json.Remove(at, 1),
                1 => json.Insert(at, json[at].ToString()),
                2 => json.Remove(at, 1).Insert(at, ","),
                _ => json.Remove(at, 1).Insert(at, random.Next(2) == 0 ? "[" : "]"),
            };
            AgreeOrDecline(damaged, count);
        }
    }

    private static void AgreeOrDecline(string json, int count)
    {
        var fast = PlainNumberArrayReader.TryReadV2(Encoding.UTF8.GetBytes(json), TensorDataType.FP64, count);
        Array? slow = null;
        try
        {
            slow = ReadGeneral(json, TensorDataType.FP64, count);
        }
        catch (InferenceException)
        {
        }
        catch (JsonException)
        {
        }

        if (slow is null)
        {
            Assert.True(fast is null, json);
        }
        else if (fast is not null)
        {
            Assert.Equal(Bits(slow), Bits(fast));
        }
    }

    private static string RandomDecimal(Random random)
    {
        var integerDigits = random.Next(0, 6);
        var fractionDigits = random.Next(0, 12);
        var sb = new StringBuilder();
        if (random.Next(4) == 0)
        {
            sb.Append('-');
        }

        sb.Append(integerDigits == 0 ? "0" : random.NextInt64(1, (long)Math.Pow(10, integerDigits)).ToString(Invariant));
        if (fractionDigits > 0)
        {
            sb.Append('.');
            for (var i = 0; i < fractionDigits; i++)
            {
                sb.Append((char)('0' + random.Next(10)));
            }
        }

        return sb.ToString();
    }

    private static Array ReadGeneral(string json, TensorDataType type, int count)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes);
        reader.Read();
        return TensorJsonDataReader.Read(ref reader, type, count, "input 'x'", [count], bytes.Length);
    }

    private static long[] Bits(Array values) => values switch
    {
        float[] f => [.. f.Select(v => (long)BitConverter.SingleToInt32Bits(v))],
        double[] d => [.. d.Select(BitConverter.DoubleToInt64Bits)],
        long[] l => l,
        int[] i => [.. i.Select(v => (long)v)],
        _ => throw new ArgumentException(values.GetType().Name),
    };
}
