using System.Text;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.V1;

namespace ServeSharp.Protocol.Tests.V1;

public sealed class V1RequestDecoderTests
{
    private static InferenceRequest Decode(string json) => V1RequestDecoder.Decode(Encoding.UTF8.GetBytes(json), "m");

    [Fact]
    public void Rows_OfFloats_AreFp64WithNestedShape()
    {
        var x = Assert.Single(Decode("""{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}""").Inputs);
        Assert.Equal("input-0", x.Name);
        Assert.Equal(TensorDataType.FP64, x.DataType);
        Assert.Equal([2L, 4L], x.Shape);
        Assert.Equal(6.0, x.GetData<double>()[4]);
    }

    [Fact]
    public void Rows_OfIntegers_AreInt64()
    {
        var x = Decode("""{"instances":[[1,2],[3,4]]}""").Inputs[0];
        Assert.Equal(TensorDataType.Int64, x.DataType);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, x.GetData<long>());
    }

    [Fact]
    public void Mixed_IntegersAndFloats_AreFp64()
    {
        Assert.Equal(TensorDataType.FP64, Decode("""{"instances":[[1,2.5]]}""").Inputs[0].DataType);
    }

    [Fact]
    public void Scalars_Strings_Booleans()
    {
        var strings = Decode("""{"instances":["a","b"]}""").Inputs[0];
        Assert.Equal(TensorDataType.Bytes, strings.DataType);
        Assert.Equal(["a", "b"], strings.ToStrings());
        var bools = Decode("""{"instances":[[true],[false]]}""").Inputs[0];
        Assert.Equal(TensorDataType.Bool, bools.DataType);
        Assert.Equal([2L, 1L], bools.Shape);
    }

    [Fact]
    public void EmptyList_IsEmptyFp64()
    {
        var x = Decode("""{"instances":[]}""").Inputs[0];
        Assert.Equal(TensorDataType.FP64, x.DataType);
        Assert.Equal([0L], x.Shape);
    }

    [Fact]
    public void ThreeLevels_KeepRank3()
    {
        var x = Decode("""{"instances":[[[1],[2]],[[3],[4]]]}""").Inputs[0];
        Assert.Equal([2L, 2L, 1L], x.Shape);
    }

    [Theory]
    [InlineData("""{"instances":[[1,2],[3]]}""")]
    [InlineData("""{"instances":[[1,2],3]}""")]
    [InlineData("""{"instances":[1,[2]]}""")]
    [InlineData("""{"instances":[[[1]],[2]]}""")]
    [InlineData("""{"instances":[[],[1]]}""")]
    public void RaggedLists_Are400(string json)
    {
        var e = Assert.Throws<InferenceException>(() => Decode(json));
        Assert.Contains("ragged", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ColumnDicts_BecomeOneTensorPerColumnWithPd()
    {
        var request = Decode("""{"instances":[{"sepal":[1.5,2],"kind":["a","b"],"ok":[true,false]},{"sepal":3,"kind":"c","ok":true}]}""");
        Assert.Equal("pd", request.Parameters.GetString("content_type"));
        Assert.Equal(["sepal", "kind", "ok"], request.Inputs.Select(i => i.Name));
        Assert.Equal(new[] { 1.5, 2, 3 }, request.Inputs[0].GetData<double>());
        Assert.Equal([3L], request.Inputs[0].Shape);
        Assert.Equal(["a", "b", "c"], request.Inputs[1].ToStrings());
        Assert.Equal(TensorDataType.Bool, request.Inputs[2].DataType);
    }

    [Theory]
    [InlineData("""{"instances":[{"a":[1,2],"b":[1]}]}""", "same number of values")]
    [InlineData("""{"instances":[{"a":[1]},{"b":[1]}]}""", "must have the same columns")]
    [InlineData("""{"instances":[{"a":[1,"x"]}]}""", "mixes numbers, booleans and strings")]
    [InlineData("""{"instances":[{"a":[[1]]}]}""", "nested list")]
    [InlineData("""{"instances":[{"a":1},[1]]}""", "mixes column dicts with other values")]
    public void BadColumnDicts_Are400(string json, string expected)
    {
        var e = Assert.Throws<InferenceException>(() => Decode(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RawBody_IsOneBytesTensorWithContentType()
    {
        var request = V1RequestDecoder.FromRawBody([1, 2, 3], "image/jpeg", "m");
        var x = Assert.Single(request.Inputs);
        Assert.Equal([1L], x.Shape);
        Assert.Equal(new byte[] { 1, 2, 3 }, x.GetData<byte[]>()[0]);
        Assert.Equal("image/jpeg", request.Parameters.GetString("content_type"));
    }
}
