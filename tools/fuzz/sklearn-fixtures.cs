#:project ../../src/Runtimes/ServeSharp.Runtimes.Sklearn/ServeSharp.Runtimes.Sklearn.csproj

// Byte-mutation fuzz of the scikit-learn runtime: changes one or two random bytes of a random fixture model
// (joblib and pickle files), loads it, and predicts (predict and predict_proba) on the fixture's own inputs. The
// contract it checks: a damaged file fails at load with ModelLoadException, or loads and answers; a request fails only
// with InferenceException; nothing hangs. Anything else is printed once per (stage, exception, top frame) with the byte
// edits that reproduce it, in the form the bytes-changed test of SklearnRuntimeTests takes ("offset:value ...").
//
//   dotnet run tools/fuzz/sklearn-fixtures.cs SECONDS SEED     (from the repository root; one core per run)
using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn;
using ServeSharp.Runtimes.Sklearn.Serving;

const string Fixtures = "tests/Runtimes/ServeSharp.Runtimes.Sklearn.Tests/Fixtures";
if (args.Length != 2 || !int.TryParse(args[0], out var seconds) || !int.TryParse(args[1], out var seed) || !Directory.Exists(Fixtures))
{
    Console.Error.WriteLine("usage (from the repository root): dotnet run tools/fuzz/sklearn-fixtures.cs SECONDS SEED");
    return 2;
}

var requests = new Dictionary<string, InferenceRequest>(StringComparer.Ordinal);
foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, "models")))
{
    var name = Path.GetFileName(file);
    if (name.Split('.').Length == 2 || name.EndsWith(".pkl", StringComparison.Ordinal))
    {
        requests[file] = FixtureRequest(Path.Combine(Fixtures, "expected", name.Split('.')[0] + ".json"));
    }
}

var files = requests.Keys.Order(StringComparer.Ordinal).ToArray();
var random = new Random(seed);
var scratch = Directory.CreateTempSubdirectory("sklearn-fuzz-");
var reported = new HashSet<string>(StringComparer.Ordinal);
var (loads, loaded, answered) = (0, 0, 0);
var end = DateTime.UtcNow.AddSeconds(seconds);
while (DateTime.UtcNow < end)
{
    var file = files[random.Next(files.Length)];
    var bytes = File.ReadAllBytes(file);
    var edits = new List<string>();
    for (var n = random.Next(1, 3); n > 0; n--)
    {
        var at = random.Next(bytes.Length);
        bytes[at] = (byte)random.Next(256);
        edits.Add($"{at}:{bytes[at]}");
    }

    var path = Path.Combine(scratch.FullName, Path.GetFileName(file));
    File.WriteAllBytes(path, bytes);
    loads++;
    SklearnModel model;
    try
    {
        model = new SklearnRuntime().LoadFile("m", path, predictProba: false);
        loaded++;
    }
    catch (ModelLoadException)
    {
        continue;
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        Report("load", file, edits, e);
        continue;
    }

    foreach (var proba in new[] { false, true })
    {
        try
        {
            var prediction = model.PredictAsync(WithProba(requests[file], proba), CancellationToken.None).AsTask();
            if (!prediction.Wait(TimeSpan.FromSeconds(10)))
            {
                Report("predict (hangs)", file, edits, new TimeoutException("no answer in 10 s"));
                break;
            }

            answered++;
        }
        catch (Exception e) when (e is InferenceException || e.InnerException is InferenceException)
        {
            // The request was refused, as a damaged model may refuse it.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Report(proba ? "predict_proba" : "predict", file, edits, e is AggregateException { InnerException: { } inner } ? inner : e);
        }
    }
}

scratch.Delete(recursive: true);
Console.WriteLine($"{loads} loads, {loaded} loaded, {answered} answers, {reported.Count} distinct failures");
return reported.Count == 0 ? 0 : 1;

void Report(string stage, string file, List<string> edits, Exception e)
{
    var top = e.StackTrace?.Split('\n')[0].Trim() ?? "";
    if (reported.Add($"{stage} {e.GetType().Name} {top}"))
    {
        Console.WriteLine($"{stage}: {Path.GetFileName(file)} \"{string.Join(' ', edits)}\": {e.GetType().Name}: {e.Message}\n    {top}");
    }
}

static InferenceRequest WithProba(InferenceRequest request, bool proba)
{
    if (!proba)
    {
        return request;
    }

    var parameters = new InferParameters();
    foreach (var (key, value) in request.Parameters)
    {
        parameters[key] = value;
    }

    parameters["predict_proba"] = InferParameter.FromBool(true);
    return new InferenceRequest(request.ModelName, request.Inputs) { Parameters = parameters };
}

// The fixture's inputs as the reference tests send them: rows of X, or named columns as a pandas request.
static InferenceRequest FixtureRequest(string expectedJson)
{
    using var document = JsonDocument.Parse(File.ReadAllText(expectedJson));
    var root = document.RootElement;
    static double Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble();
    if (root.TryGetProperty("columns", out var columns))
    {
        var tensors = new List<Tensor>();
        foreach (var column in columns.EnumerateObject())
        {
            var values = column.Value.EnumerateArray().ToList();
            tensors.Add(values.Count > 0 && values[0].ValueKind == JsonValueKind.String
                ? Tensor.FromStrings(column.Name, [values.Count], values.Select(v => v.GetString()!).ToArray())
                : Tensor.Create(column.Name, [values.Count], values.Select(Number).ToArray()));
        }

        var parameters = new InferParameters { [InferParameters.Names.ContentType] = InferParameter.FromString("pd") };
        return new InferenceRequest("m", tensors) { Parameters = parameters };
    }

    var rows = root.GetProperty("X").EnumerateArray().ToList();
    var data = rows.SelectMany(r => r.EnumerateArray().Select(Number)).ToArray();
    return new InferenceRequest("m", [Tensor.Create("input-0", [rows.Count, rows[0].GetArrayLength()], data)]);
}
