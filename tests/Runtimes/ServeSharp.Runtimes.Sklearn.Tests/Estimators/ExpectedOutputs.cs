using System.Text.Json;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Tests.Estimators;

/// <summary>One expected/*.json file: the inputs and scikit-learn 1.2.1's outputs on them.</summary>
internal sealed class ExpectedOutputs
{
    private ExpectedOutputs(JsonElement root)
    {
        Root = root;
    }

    public JsonElement Root { get; }

    public static ExpectedOutputs Load(string name) =>
        new(JsonDocument.Parse(File.ReadAllText(Path.Combine(FixturePaths.Expected, name + ".json"))).RootElement);

    public string PredictDType => Root.GetProperty("predict_dtype").GetString()!;

    public bool HasProba => Root.TryGetProperty("predict_proba", out _);

    /// <summary>The request sklearn's inputs correspond to: a [rows, features] FP64 tensor, or pd columns.</summary>
    public InferenceRequest BuildRequest(bool? predictProba = null)
    {
        var parameters = new InferParameters();
        if (predictProba is bool p)
        {
            parameters["predict_proba"] = InferParameter.FromBool(p);
        }

        if (Root.TryGetProperty("columns", out var cols))
        {
            parameters[InferParameters.Names.ContentType] = InferParameter.FromString("pd");
            var inputs = new List<Tensor>();
            foreach (var c in cols.EnumerateObject())
            {
                var values = c.Value.EnumerateArray().ToList();
                if (values.Count > 0 && values[0].ValueKind == JsonValueKind.String)
                {
                    inputs.Add(Tensor.FromStrings(c.Name, [values.Count], values.Select(v => v.GetString()!).ToArray()));
                }
                else
                {
                    inputs.Add(Tensor.Create(c.Name, [values.Count], values.Select(Number).ToArray()));
                }
            }

            return new InferenceRequest("m", inputs) { Parameters = parameters };
        }

        var rows = Root.GetProperty("X").EnumerateArray().ToList();
        var width = rows[0].GetArrayLength();
        var data = rows.SelectMany(r => r.EnumerateArray().Select(Number)).ToArray();
        return new InferenceRequest("m", [Tensor.Create("input-0", [rows.Count, width], data)]) { Parameters = parameters };
    }

    public static double Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble();

    public static double[] Flatten(JsonElement e) => e.ValueKind == JsonValueKind.Array
        ? e.EnumerateArray().SelectMany(Flatten).ToArray()
        : [Number(e)];

    public static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var a = actual[i];
            var tol = 1e-9 * Math.Max(Math.Abs(e), Math.Abs(a)) + 1e-12;
            Assert.True(Math.Abs(e - a) <= tol || (double.IsNaN(e) && double.IsNaN(a)),
                $"{what}[{i}]: expected {e:R}, got {a:R} (difference {Math.Abs(e - a):E3})");
        }
    }
}
