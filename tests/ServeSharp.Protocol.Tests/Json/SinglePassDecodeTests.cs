using System.Text;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.V1;
using ServeSharp.Protocol.V2;

namespace ServeSharp.Protocol.Tests.Json;

/// <summary>
/// The V1 and V2 decoders decode a list of plain numbers while finding it and jump the JSON reader past it
/// (<c>JsonReaderJump</c>). Every body must decode exactly as the general reader alone decodes it: same tensors
/// (bit for bit), same fields, or the same error message — including JSON syntax errors after a jump, whose
/// positions the jumping reader gets wrong and which are therefore reported by a second, non-jumping pass.
/// </summary>
public sealed class SinglePassDecodeTests
{
    public static TheoryData<string> V1Bodies => new()
    {
        """{"instances":[[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}""",
        """{"instances":[1,2,3]}""",
        """{"instances":[[1,2],[3,4.5]]}""",
        " \n{ \"instances\" :\t[ [ 1 , 2 ] ,\r\n [ 3 , 4 ] ] \n} \n",
        """{"instances":[[1,2]],"inputs":[[3.5,4]]}""",
        """{"inputs":[[1,2]],"instances":[[3,4]]}""",
        """{"instances":[[1,2]],"extra":{"a":[1,2,{"b":null}],"c":"d"},"x":"y"}""",
        """{"extra":[1,2],"instances":[[1,2]],"after":[[1]]}""",
        """{"instances":[[1,2]],"instances":[["a","b"]]}""",
        """{"instances":[["a","b"]],"instances":[[1,2]]}""",
        """{"instances":[[1,2]],"instances":5}""",
        """{"instances":[[1,2]],"x":tru}""",
        """{"instances":[[1,2]],"x":[1,2}""",
        """{"instances":[[1,2]]} trailing""",
        """{"instances":[[1,2]],}""",
        """{"instances":[[1,2]]""",
        """{"instances":[[1,2]] "x":1}""",
        """{"instances":[[1,2],[3]]}""",
        """{"instances":[1e5,2]}""",
        """{"instances":[{"a":1,"b":2},{"a":3,"b":4}]}""",
        """{"instances":[]}""",
        """{"instances":[1,2,]}""",
        """{"a":{"instances":[1]},"instances":[2]}""",
        """{"instances":[9007199254740993,0.5]}""",
        """{"instances":[[1,2]],"x":{"y":[[[[1]]]]},"z":null}""",
        """[1,2]""",
        // The single-list body (read without the JSON reader) and its near misses.
        """{"inputs":[[1,2],[3,4]]}""",
        "\t{\"instances\":[1]}\r\n",
        """{ "instances" : [ 1.5 , -2 ] }""",
        """{"instances":[1]} }""",
        """{"instances":[1]}}""",
        """{"instances" [1]}""",
        """{"instances":}""",
        """{"\u0069nstances":[1,2]}""",
        """{"instancesx":[1]}""",
        """{"instances":["a"]}""",
        """{"instances":[1,2]}\u0000""",
        """{"instances":[1,2] ,}""",
        """{"instances":[[1],[2,3]]}""",
        """{"instances":-1}""",
        """{"instances":[01]}""",
    };

    public static TheoryData<string> V2Bodies => new()
    {
        """{"inputs":[{"name":"input-0","shape":[2,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}]}""",
        """{"id":"r1","inputs":[{"name":"a","shape":[2],"datatype":"FP64","data":[1.5,2]},{"name":"b","shape":[1],"datatype":"INT64","data":[7]}],"outputs":[{"name":"o"}],"parameters":{"k":1}}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"INT32","data":[1,2],"parameters":{"content_type":"np"}}],"id":"after"}""",
        """{"inputs":[{"data":[1,2],"name":"a","shape":[2],"datatype":"FP32"}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2],"shape":[1,2]}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2],"shape":[3]}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2],"datatype":"INT64"}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2],"data":null}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2],"data":["x","y"]}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":["x","y"],"data":[1,2]}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"INT32","data":[1,2147483648]}]}""",
        """{"inputs":[{"name":"a","shape":[-2],"datatype":"FP32","data":[1,2]}]}""",
        """{"inputs":[{"name":"a","shape":[100],"datatype":"FP32","data":[1,2]}]}""",
        """{"inputs":[{"name":"a","shape":[3],"datatype":"FP32","data":[1,2]}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP99","data":[1,2]}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP16","data":[1,2]}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"UINT8","data":[1,2]}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]},{bad}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]}],"id":7}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]}]}x""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2] "x":1}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2],}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]}],"inputs":[{"name":"b","shape":[1],"datatype":"FP64","data":[3]}]}""",
        """{"inputs":[{"name":"a","shape":[0],"datatype":"FP32","data":[]}]}""",
        """{"inputs":[{"name":"a","shape":[2,1],"datatype":"FP64","data":[[1e3],[2]]}]}""",
        """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]}],"outputs":[{"name":"o","parameters":{"binary_data":true}}],"parameters":{"binary_data_output":false}}""",
    };

    [Theory]
    [MemberData(nameof(V1Bodies))]
    public void V1_SinglePass_DecodesLikeTheGeneralReader(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        AssertSameOutcome(
            () => V1RequestDecoder.DecodeJson(bytes, "m", null, jump: false),
            () => V1RequestDecoder.Decode(bytes, "m"),
            () => V1RequestDecoder.DecodeJson(bytes, "m", null, jump: true));
    }

    [Theory]
    [MemberData(nameof(V2Bodies))]
    public void V2_SinglePass_DecodesLikeTheGeneralReader(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        AssertSameOutcome(
            () => V2RequestDecoder.Decode(bytes, null, "m", null, jump: false),
            () => V2RequestDecoder.Decode(bytes, null, "m"),
            () => V2RequestDecoder.Decode(bytes, null, "m", null, jump: true));
    }

    [Fact]
    public void V2_SinglePass_WithBinaryTensorData_DecodesLikeTheGeneralReader()
    {
        var json = """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]},{"name":"b","shape":[1],"datatype":"FP32","parameters":{"binary_data_size":4}}]}""";
        var bytes = Encoding.UTF8.GetBytes(json).Concat(BitConverter.GetBytes(2.5f)).ToArray();
        AssertSameOutcome(
            () => V2RequestDecoder.Decode(bytes, json.Length, "m", null, jump: false),
            () => V2RequestDecoder.Decode(bytes, json.Length, "m"),
            () => V2RequestDecoder.Decode(bytes, json.Length, "m", null, jump: true));
    }

    [Fact]
    public void V2_SinglePass_ManyRandomInputs_DecodeLikeTheGeneralReader()
    {
        var random = new Random(42);
        for (var n = 0; n < 200; n++)
        {
            var rows = random.Next(1, 5);
            var cols = random.Next(1, 5);
            var values = Enumerable.Range(0, rows * cols)
                .Select(_ => random.Next(3) == 0 ? random.Next(-1000, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : (random.NextDouble() * 200 - 100).ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture))
                .ToArray();
            var data = "[" + string.Join(",", Enumerable.Range(0, rows).Select(r => "[" + string.Join(", ", values.Skip(r * cols).Take(cols)) + "]")) + "]";
            var datatype = new[] { "FP32", "FP64", "INT64", "INT32" }[random.Next(4)];
            var body = $$"""{"inputs":[{"name":"x","shape":[{{rows}},{{cols}}],"datatype":"{{datatype}}","data":{{data}}}],"id":"i{{n}}"}""";
            var v1 = $$"""{"instances":{{data}},"n":{{n}}}""";
            AssertSameOutcome(
                () => V2RequestDecoder.Decode(Encoding.UTF8.GetBytes(body), null, "m", null, jump: false),
                () => V2RequestDecoder.Decode(Encoding.UTF8.GetBytes(body), null, "m"),
                () => V2RequestDecoder.Decode(Encoding.UTF8.GetBytes(body), null, "m", null, jump: true));
            foreach (var json in new[] { v1, $$"""{"instances":{{data}}}""" })
            {
                AssertSameOutcome(
                    () => V1RequestDecoder.DecodeJson(Encoding.UTF8.GetBytes(json), "m", null, jump: false),
                    () => V1RequestDecoder.Decode(Encoding.UTF8.GetBytes(json), "m"),
                    () => V1RequestDecoder.DecodeJson(Encoding.UTF8.GetBytes(json), "m", null, jump: true));
            }
        }
    }

    /// <summary>
    /// The public decoder gives what the general reader gives. Whenever the general reader accepts a body, the
    /// single pass alone (no second pass to fall back on) must accept it too and decode the same request, so a fault
    /// in the jump cannot hide behind the fallback.
    /// </summary>
    private static void AssertSameOutcome(Func<InferenceRequest> general, Func<InferenceRequest> decoder, Func<InferenceRequest> singlePassOnly)
    {
        InferenceRequest? expected = null;
        InferenceException? expectedError = null;
        try
        {
            expected = general();
        }
        catch (InferenceException e)
        {
            expectedError = e;
        }

        if (expectedError is not null)
        {
            var actualError = Assert.Throws<InferenceException>(() => decoder());
            Assert.Equal(expectedError.Kind, actualError.Kind);
            Assert.Equal(expectedError.Message, actualError.Message);
            return;
        }

        Assert.Equal(Describe(expected!), Describe(decoder()));
        Assert.Equal(Describe(expected!), Describe(singlePassOnly()));
    }

    // Everything a request carries, with floating-point data as bit patterns.
    private static string Describe(InferenceRequest request)
    {
        var text = new StringBuilder()
            .Append($"model={request.ModelName} id={request.Id} protocol={request.Protocol} ")
            .Append($"params={string.Join(";", request.Parameters.Select(p => $"{p.Key}={p.Value}"))} ")
            .Append($"outputs={(request.Outputs is null ? "null" : string.Join(";", request.Outputs.Select(o => $"{o.Name}:{string.Join(",", o.Parameters.Select(p => $"{p.Key}={p.Value}"))}")))}");
        foreach (var input in request.Inputs)
        {
            text.Append($" | {input.Name} {input.DataType} [{string.Join(',', input.Shape)}] ")
                .Append($"params={string.Join(";", input.Parameters.Select(p => $"{p.Key}={p.Value}"))} data=");
            text.Append(input.DataType switch
            {
                TensorDataType.FP32 => string.Join(",", input.GetData<float>().Select(BitConverter.SingleToInt32Bits)),
                TensorDataType.FP64 => string.Join(",", input.GetData<double>().Select(BitConverter.DoubleToInt64Bits)),
                TensorDataType.Bytes => string.Join(",", input.ToStrings()),
                _ => string.Join(",", input.Data.Cast<object>()),
            });
        }

        return text.ToString();
    }
}
