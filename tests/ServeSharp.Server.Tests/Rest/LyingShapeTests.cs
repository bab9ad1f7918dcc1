using System.Net;
using System.Text;

namespace ServeSharp.Server.Tests.Rest;

/// <summary>
/// Issue #3: a shape far larger than the data sent gets 400 with the count-mismatch message, without the server
/// allocating a buffer for the shape, and the server still answers a normal request afterwards.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class LyingShapeTests(ServerFixture fixture)
{
    private HttpClient Http => fixture.Http;

    public static TheoryData<string, string, string> JsonCases => new()
    {
        { "FP32", "[1]", "2000000000" },
        { "FP64", "[1]", "2000000000" },
        { "INT64", "[1]", "2000000000" },
        { "BOOL", "[true]", "2000000000" },
        { "BYTES", "[\"a\"]", "2000000000" },
        { "FP32", "[[1]]", "2000000000,1" },
        { "FP32", "[1]", "4611686018427387904" },
        { "BYTES", "[\"a\"]", "4611686018427387904" },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task Json_ShapeBeforeData_Is400CountMismatch(string datatype, string data, string shape)
    {
        await AssertJson400(
            $$"""{"inputs":[{"name":"x","shape":[{{shape}}],"datatype":"{{datatype}}","data":{{data}}}]}""",
            $"input 'x' has shape [{shape}], which needs {Product(shape)} elements, but 'data' holds 1.");
    }

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task Json_DataBeforeShape_Is400CountMismatch(string datatype, string data, string shape)
    {
        await AssertJson400(
            $$"""{"inputs":[{"name":"x","data":{{data}},"datatype":"{{datatype}}","shape":[{{shape}}]}]}""",
            $"input 'x' has shape [{shape}], which needs {Product(shape)} elements, but 'data' holds 1.");
    }

    [Fact]
    public async Task Json_OverflowingShape_Is400()
    {
        await AssertJson400(
            """{"inputs":[{"name":"x","shape":[4294967296,4294967296,4294967296],"datatype":"FP32","data":[1]}]}""",
            "input 'x' has shape [4294967296,4294967296,4294967296], which is too large.");
    }

    [Theory]
    [InlineData("BYTES", "2000000000", "input 'x': BYTES binary data ends inside the length prefix of element 1 of 2000000000.")]
    [InlineData("FP32", "2000000000", "input 'x' has shape [2000000000] and datatype FP32, so its binary data must be 8000000000 bytes (2000000000 x 4), but 5 bytes were given.")]
    [InlineData("BYTES", "4611686018427387904", "input 'x' has shape [4611686018427387904], which is too large.")]
    [InlineData("FP32", "4294967296,4294967296,4294967296", "input 'x' has shape [4294967296,4294967296,4294967296], which is too large.")]
    public async Task Binary_HugeShape_Is400(string datatype, string shape, string message)
    {
        var json = Encoding.UTF8.GetBytes(
            $$$"""{"inputs":[{"name":"x","shape":[{{{shape}}}],"datatype":"{{{datatype}}}","parameters":{"binary_data_size":5}}]}""");
        var (status, body, _) = await Http.PostBinaryAsync("/v2/models/echo/infer", json, [1, 0, 0, 0, (byte)'a']);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(message, HttpTestExtensions.Error(Encoding.UTF8.GetString(body)));
        await AssertStillServes();
    }

    private async Task AssertJson400(string json, string message)
    {
        var (status, body, _) = await Http.PostJsonAsync("/v2/models/echo/infer", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(message, HttpTestExtensions.Error(body));
        await AssertStillServes();
    }

    private async Task AssertStillServes()
    {
        var (status, body, _) = await Http.PostJsonAsync(
            "/v2/models/echo/infer", """{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1.5,2]}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"data\":[1.5,2", body, StringComparison.Ordinal);
    }

    private static long Product(string shape) =>
        shape.Split(',').Aggregate(1L, (total, dim) => total * long.Parse(dim, System.Globalization.CultureInfo.InvariantCulture));
}
