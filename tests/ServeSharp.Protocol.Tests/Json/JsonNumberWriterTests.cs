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
    public void WriteDouble_MatchesOrjsonStyle(double value, string expected)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonNumberWriter.WriteDouble(writer, value);
        }

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
