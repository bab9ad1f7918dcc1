using System.Text;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.V1;
using ServeSharp.Protocol.V2;

namespace ServeSharp.Protocol.Tests.Json;

/// <summary>
/// Text that is not UTF-8, or a <c>\u</c> escape that is not valid UTF-16, anywhere the decoders read a string or a
/// property name, is the caller's bad input (InvalidInput, so 400), not an <see cref="InvalidOperationException"/> from
/// the JSON reader (which the server answers with 500). Found by mutating valid bodies at random.
/// </summary>
public sealed class JsonStringsTests
{
    private const string Expected = "Unrecognized request format: a JSON string is not valid UTF-8 or holds an invalid \\u escape.";

    [Theory]
    [InlineData("""{"inputs":[{"name":"x¤","shape":[1],"datatype":"INT64","data":[1]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT¤64","data":[1]}]}""")]
    [InlineData("""{"id":"r¤","inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}],"outputs":[{"name":"y¤"}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}],"parameters":{"k¤":"v"}}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}],"parameters":{"k":"v¤"}}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1],"parameters":{"k":"v¤"}}]}""")]
    [InlineData("""{"\ud83d":1,"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}]}""")]
    [InlineData("""{"inputs":[{"na\ude00me":"x","shape":[1],"datatype":"INT64","data":[1]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT64","data":[1]}],"outputs":[{"\ud83dname":"y"}]}""")]
    [InlineData("""{"inputs":[{"name":"x\ud83d","shape":[1],"datatype":"INT64","data":[1]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"BYTES","data":["a\ud83d"]}]}""")]
    public void V2_TextThatIsNotUtf8_IsInvalidInput(string json)
    {
        var e = Assert.Throws<InferenceException>(() => V2RequestDecoder.Decode(Body(json), null, "m"));
        Assert.Equal(InferenceErrorKind.InvalidInput, e.Kind);
        Assert.Equal(Expected, e.Message);
    }

    [Theory]
    [InlineData("""{"instances":[{"a¤":1,"b":2}]}""")]
    [InlineData("""{"instances":[{"\ud83d":1,"b":2}]}""")]
    [InlineData("""{"\ude00":1,"instances":[[1,2]]}""")]
    [InlineData("""{"instances":[["a\ud83d","b"]]}""")]
    public void V1_TextThatIsNotUtf8_IsInvalidInput(string json)
    {
        var e = Assert.Throws<InferenceException>(() => V1RequestDecoder.Decode(Body(json), "m"));
        Assert.Equal(InferenceErrorKind.InvalidInput, e.Kind);
        Assert.Equal(Expected, e.Message);
    }

    [Fact]
    public void RepositoryIndexBody_WithAnInvalidEscapeInAName_IsInvalidInput()
    {
        var e = Assert.Throws<InferenceException>(() => V2MetadataEncoder.ReadIndexReadyFilter(Body("""{"\ud83dready":true}""")));
        Assert.Equal(Expected, e.Message);
    }

    [Fact]
    public void ValidEscapes_StillDecode()
    {
        var request = V2RequestDecoder.Decode(
            Body("""{"id":"r\u00e9","inputs":[{"n\u0061me":"x\ud83d\ude00","shape":[1],"datatype":"BYTES","data":["\u00e9\ud83d\ude00"]}]}"""),
            null,
            "m");
        Assert.Equal("ré", request.Id);
        var x = Assert.Single(request.Inputs);
        Assert.Equal("x😀", x.Name);
        Assert.Equal("é😀"u8.ToArray(), x.GetData<byte[]>()[0]);
    }

    /// <summary>The UTF-8 of <paramref name="json"/> with each <c>¤</c> replaced by the byte 0xFF, which UTF-8 never uses.</summary>
    private static byte[] Body(string json) =>
        [.. json.Split('¤').Select(Encoding.UTF8.GetBytes).Aggregate((a, b) => [.. a, 0xFF, .. b])];
}
