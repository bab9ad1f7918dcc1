using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Onnx;

namespace ServeSharp.Runtimes.Onnx.Tests;

/// <summary>Paths to the generated fixture models and the numpy/sklearn expectations in Fixtures/expected.json.</summary>
internal static class OnnxFixtures
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Directory(string name) => Path.Combine(Root, name);

    public static JsonElement Expected { get; } =
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "expected.json"))).RootElement;

    public static async Task<IModel> LoadAsync(string fixture, IReadOnlyDictionary<string, string>? settings = null, string? name = null)
    {
        var context = new ModelLoadContext
        {
            Name = name ?? fixture,
            ModelDirectory = Directory(fixture),
            Settings = settings ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
        };
        return await new OnnxModelRuntime().LoadAsync(context, CancellationToken.None);
    }

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static long[] Longs(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();

    public static InferenceRequest Request(string model, params Tensor[] inputs) => new(model, inputs);

    public static Task<InferenceResponse> PredictAsync(this IModel model, InferenceRequest request) =>
        model.PredictAsync(request, CancellationToken.None).AsTask();
}
