using System.Text;
using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.Tests.Json;

/// <summary>
/// Integer arrays are formatted in one buffer and written as one raw value; the text must be exactly what the
/// writer gives with a <c>WriteNumberValue</c> per element, flat and nested, at the types' extremes, around the
/// single-digit fast path, at every size of the per-thread scratch buffer and past it, and inside a larger document.
/// </summary>
public sealed class TensorJsonDataWriterTests
{
    private static readonly TensorDataType[] Integers =
    [
        TensorDataType.Int64, TensorDataType.Int32, TensorDataType.Int16, TensorDataType.Int8,
        TensorDataType.UInt64, TensorDataType.UInt32, TensorDataType.UInt16, TensorDataType.UInt8,
    ];

    public static TheoryData<TensorDataType> IntegerTypes => new(Integers);

    public static TheoryData<TensorDataType, int> Cases()
    {
        var data = new TheoryData<TensorDataType, int>();
        foreach (var type in Integers)
        {
            // 46 longs fit the smallest scratch buffer (1 KiB), 47 do not; 2,978 fit the largest a thread keeps (64 KiB),
            // 2,979 are lent by the shared pool.
            foreach (var count in new[] { 0, 1, 7, 46, 47, 300, 2978, 2979 })
            {
                data.Add(type, count);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IntegerArrays_AreWrittenAsWriteNumberValueWritesThem(TensorDataType type, int count)
    {
        var tensor = Create(type, count);

        Assert.Equal(Reference(tensor, nested: false), Write(w => TensorJsonDataWriter.WriteFlat(w, tensor)));
        var rows = count % 2 == 0 && count > 0 ? new Tensor(tensor.Name, type, [2, count / 2], tensor.Data) : tensor;
        Assert.Equal(Reference(rows, nested: true), Write(w => TensorJsonDataWriter.WriteNested(w, rows)));
    }

    [Theory]
    [MemberData(nameof(IntegerTypes))]
    public void SmallIntegers_AroundTheSingleDigitFastPath_AreWrittenAsWriteNumberValueWritesThem(TensorDataType type)
    {
        decimal[] values = [0, 1, 9, 10, 11, 99, 100, 5, Max(type), Min(type)];
        if (Min(type) < 0)
        {
            values = [.. values, -1, -9, -10];
        }

        var tensor = Create(type, values);
        Assert.Equal(Reference(tensor, nested: false), Write(w => TensorJsonDataWriter.WriteFlat(w, tensor)));
        Assert.Equal("[0,1,9,10,11,99,100,5,", Write(w => TensorJsonDataWriter.WriteFlat(w, tensor))[..22]);
    }

    [Theory]
    [InlineData(TensorDataType.FP32, 9)]
    [InlineData(TensorDataType.FP64, 9)]
    [InlineData(TensorDataType.FP32, 300)] // past the smallest scratch buffer
    [InlineData(TensorDataType.FP64, 300)]
    [InlineData(TensorDataType.FP64, 2000)] // past the largest one a thread keeps
    public void FloatArrays_AreWrittenAsJsonNumberWriterWritesEachValue(TensorDataType type, int count)
    {
        double[] special = [6.8, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300, -2.5, 3, 1e15];
        var random = new Random(count);
        var values = Enumerable.Range(0, count).Select(i => i < special.Length ? special[i] : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-20, 20))).ToArray();
        var tensor = type == TensorDataType.FP32
            ? new Tensor("t", type, [count], values.Select(v => (float)v).ToArray())
            : new Tensor("t", type, [count], values);

        var expected = Write(w =>
        {
            w.WriteStartArray();
            foreach (var value in tensor.ToDoubleArray())
            {
                JsonNumberWriter.WriteDouble(w, value);
            }

            w.WriteEndArray();
        });
        Assert.Equal(expected, Write(w => TensorJsonDataWriter.WriteFlat(w, tensor)));
        Assert.StartsWith(type == TensorDataType.FP32 ? "[6.800000190734863,-0.0,null,null,null," : "[6.8,-0.0,null,null,null,1E+300,", expected);
    }

    [Theory]
    [MemberData(nameof(IntegerTypes))]
    public void IntegerScalars_AreWrittenAsWriteNumberValueWritesThem(TensorDataType type)
    {
        // The type's two extremes, each as a tensor of shape [].
        var tensor = Create(type, 2);
        for (var i = 0; i < 2; i++)
        {
            var scalar = Array.CreateInstance(tensor.Data.GetType().GetElementType()!, 1);
            Array.Copy(tensor.Data, i, scalar, 0, 1);
            var t = new Tensor("s", type, [], scalar);
            var expected = Reference(new Tensor("s", type, [1], scalar), nested: false)[1..^1];

            Assert.Equal(expected, Write(w => TensorJsonDataWriter.WriteNested(w, t)));
            Assert.Equal(expected, Write(w => TensorJsonDataWriter.WriteRow(w, t, 0)));
        }
    }

    [Theory]
    [InlineData(6.8, "6.8", "6.800000190734863")]
    [InlineData(-0.0, "-0.0", "-0.0")]
    [InlineData(double.NaN, "null", "null")]
    [InlineData(3.0, "3.0", "3.0")]
    [InlineData(1e300, "1E+300", "null")] // beyond float: infinity
    public void FloatScalars_AreWrittenAsJsonNumberWriterWritesThem(double value, string fp64, string fp32)
    {
        Assert.Equal(fp64, Write(w => TensorJsonDataWriter.WriteNested(w, new Tensor("s", TensorDataType.FP64, [], new[] { value }))));
        Assert.Equal(fp32, Write(w => TensorJsonDataWriter.WriteNested(w, new Tensor("s", TensorDataType.FP32, [], new[] { (float)value }))));
        Assert.Equal(fp64, Write(w => JsonNumberWriter.WriteDouble(w, value)));
    }

    [Fact]
    public void IntegerArrays_InsideADocument_KeepItValid()
    {
        var tensor = Create(TensorDataType.Int64, 5);
        var json = Write(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("a");
            TensorJsonDataWriter.WriteFlat(w, tensor);
            w.WritePropertyName("b");
            TensorJsonDataWriter.WriteNested(w, new Tensor("t", TensorDataType.Int64, [5, 1], tensor.Data));
            w.WriteNumber("c", 1);
            w.WriteEndObject();
        });

        using var document = JsonDocument.Parse(json);
        Assert.Equal(5, document.RootElement.GetProperty("a").GetArrayLength());
        Assert.Equal(5, document.RootElement.GetProperty("b").GetArrayLength());
        Assert.Equal(long.MinValue, document.RootElement.GetProperty("a")[0].GetInt64());
        Assert.Equal(1, document.RootElement.GetProperty("c").GetInt32());
    }

    private static Tensor Create(TensorDataType type, int count)
    {
        // The extremes first, then a spread of values.
        var random = new Random(count + (int)type);
        return Create(type, [.. Enumerable.Range(0, count).Select(i => i switch
        {
            0 => Min(type),
            1 => Max(type),
            2 => 0m,
            _ => Min(type) + Math.Floor((Max(type) - Min(type)) * (decimal)random.NextDouble()),
        })]);
    }

    private static Tensor Create(TensorDataType type, decimal[] values)
    {
        Array data = type switch
        {
            TensorDataType.Int64 => values.Select(v => (long)v).ToArray(),
            TensorDataType.Int32 => values.Select(v => (int)v).ToArray(),
            TensorDataType.Int16 => values.Select(v => (short)v).ToArray(),
            TensorDataType.Int8 => values.Select(v => (sbyte)v).ToArray(),
            TensorDataType.UInt64 => values.Select(v => (ulong)v).ToArray(),
            TensorDataType.UInt32 => values.Select(v => (uint)v).ToArray(),
            TensorDataType.UInt16 => values.Select(v => (ushort)v).ToArray(),
            _ => values.Select(v => (byte)v).ToArray(),
        };
        return new Tensor("t", type, [values.Length], data);
    }

    private static decimal Min(TensorDataType type) => type switch
    {
        TensorDataType.Int64 => long.MinValue,
        TensorDataType.Int32 => int.MinValue,
        TensorDataType.Int16 => short.MinValue,
        TensorDataType.Int8 => sbyte.MinValue,
        _ => 0,
    };

    private static decimal Max(TensorDataType type) => type switch
    {
        TensorDataType.Int64 => long.MaxValue,
        TensorDataType.Int32 => int.MaxValue,
        TensorDataType.Int16 => short.MaxValue,
        TensorDataType.Int8 => sbyte.MaxValue,
        TensorDataType.UInt64 => ulong.MaxValue,
        TensorDataType.UInt32 => uint.MaxValue,
        TensorDataType.UInt16 => ushort.MaxValue,
        _ => byte.MaxValue,
    };

    // One WriteNumberValue per element; a [rows, n] tensor as rows of n when nested.
    private static string Reference(Tensor tensor, bool nested) => Write(w =>
    {
        var values = tensor.Data.Cast<object>().ToArray();
        var rows = nested && tensor.Shape.Length == 2 ? (int)tensor.Shape[0] : 1;
        var rowLength = rows == 1 ? values.Length : (int)tensor.Shape[1];
        if (rows > 1)
        {
            w.WriteStartArray();
        }

        for (var row = 0; row < rows; row++)
        {
            w.WriteStartArray();
            foreach (var value in values.Skip(row * rowLength).Take(rowLength))
            {
                if (value is ulong large)
                {
                    w.WriteNumberValue(large);
                }
                else
                {
                    w.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            w.WriteEndArray();
        }

        if (rows > 1)
        {
            w.WriteEndArray();
        }
    });

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
