using System.Buffers;
using System.Text;
using System.Text.Json;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.Tests.Json;

public sealed class JsonNumberWriterTests
{
    [Theory]
    [InlineData(6.0, "6.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData((double)6.8f, "6.800000190734863")]
    [InlineData(double.NaN, "null")]
    [InlineData(double.PositiveInfinity, "null")]
    [InlineData(1e300, "1E+300")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(-7.0, "-7.0")]
    [InlineData(999999999999999.0, "999999999999999.0")]
    [InlineData(-999999999999999.0, "-999999999999999.0")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(-1e15, "-1000000000000000.0")]
    [InlineData(9007199254740992.0, "9007199254740992.0")]
    [InlineData(1e17, "1E+17")]
    [InlineData(0.5, "0.5")]
    [InlineData(123456789.5, "123456789.5")]
    public void WriteDouble_MatchesOrjsonStyle(double value, string expected)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonNumberWriter.WriteDouble(writer, value);
        }

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void WriteDouble_IntegralValues_WriteTheRoundTripDigitsWithPointZero()
    {
        var values = new List<double>();
        for (var e = 0; e <= 16; e++)
        {
            var p = Math.Pow(10, e);
            values.AddRange([p, p - 1, p + 1, -p, -(p - 1), 3 * p, (double)(float)(7 * p)]);
        }

        foreach (var value in values)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                JsonNumberWriter.WriteDouble(writer, value);
            }

            var general = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            var expected = general.Contains('.') || general.Contains('E') ? general : general + ".0";
            Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }
}
