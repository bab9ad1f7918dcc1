using ServeSharp.Abstractions;

namespace ServeSharp.Server.Tests.TestModels;

/// <summary>
/// Reports what it was given: the output <c>elements</c> (INT64 [1]) counts the elements of all inputs, and the
/// response parameters describe the request headers — <c>headers</c> (every entry as <c>key=value</c>, sorted, one
/// per line), <c>count</c>, and the lookups <c>x-multi</c> and <c>content-type</c> (<c>&lt;absent&gt;</c> when missing).
/// </summary>
internal sealed class HeadersModel(string name) : IModel
{
    private const string Absent = "<absent>";

    public string Name { get; } = name;

    public ModelMetadata Metadata => new()
    {
        Name = Name,
        Platform = "test_headers",
        Inputs = [new TensorMetadata("x", TensorDataType.FP32, [-1])],
        Outputs = [new TensorMetadata("elements", TensorDataType.Int64, [1])],
    };

    public ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var headers = request.Headers;
        var parameters = new InferParameters
        {
            ["headers"] = InferParameter.FromString(string.Join('\n', headers.Select(h => $"{h.Key}={h.Value}").Order(StringComparer.Ordinal))),
            ["count"] = InferParameter.FromString(headers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ["x-multi"] = InferParameter.FromString(headers.TryGetValue("X-Multi", out var multi) ? multi : Absent),
            ["content-type"] = InferParameter.FromString(headers.TryGetValue("content-type", out var type) ? type : Absent),
        };
        var elements = request.Inputs.Sum(t => t.ElementCount);
        return ValueTask.FromResult(new InferenceResponse(Name, [Tensor.Create("elements", [1], new[] { elements })]) { Parameters = parameters });
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
