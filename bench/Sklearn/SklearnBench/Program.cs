// ServeSharp side of the sklearn benchmark: loads the joblib files sklearn_bench.py wrote, checks the predictions
// agree with scikit-learn's, times one-row and 1,000-row predictions through the model's PredictAsync (request
// tensor in, response tensor out) and prints a markdown table with scikit-learn's timings from the same run.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: SklearnBench WORK_DIR SECONDS_PER_CASE");
    return 2;
}

var work = args[0];
var seconds = double.Parse(args[1], CultureInfo.InvariantCulture);
var rows = File.ReadAllLines(Path.Combine(work, "rows.csv"))
    .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
    .ToArray();
var width = rows[0].Length;
var all = rows.SelectMany(r => r).ToArray();
var sklearn = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "sklearn_results.json"))).RootElement;
var runtime = new SklearnRuntime();

var version = sklearn.GetProperty("version").GetString();
var models = sklearn.GetProperty("models");
var cores = Environment.ProcessorCount;
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| model | rows | scikit-learn {version} (µs/call) | ServeSharp, 1 thread (µs/call) | ServeSharp, default: up to {cores} threads (µs/call) | speed-up (default) |"));
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
foreach (var model in models.EnumerateObject())
{
    var file = Path.Combine(work, model.Name, "model.joblib");
    var loaded = runtime.LoadFile(model.Name, file, predictProba: false);
    var oneThread = runtime.LoadFile(model.Name, file, predictProba: false, intraOpThreads: 1);
    var one = new InferenceRequest(model.Name, [Tensor.Create("input-0", [1, width], rows[0])]);
    var batch = new InferenceRequest(model.Name, [Tensor.Create("input-0", [rows.Length, width], all)]);

    var expected = model.Value.GetProperty("predictions").EnumerateArray().Select(e => e.GetInt64()).ToArray();
    var actual = (await loaded.PredictAsync(batch, CancellationToken.None)).Outputs[0].GetData<long>();
    var mismatches = expected.Zip(actual).Count(p => p.First != p.Second);
    if (mismatches > 0)
    {
        Console.Error.WriteLine($"{model.Name}: {mismatches} of {expected.Length} predictions differ from scikit-learn");
        return 1;
    }

    // One row never uses more than one thread, so it is timed once.
    var single = await Time(() => loaded.PredictAsync(one, CancellationToken.None));
    var thousandOneThread = await Time(() => oneThread.PredictAsync(batch, CancellationToken.None));
    var thousand = await Time(() => loaded.PredictAsync(batch, CancellationToken.None));
    Row(model.Name, 1, model.Value.GetProperty("single_row_us").GetDouble(), single, single);
    Row(model.Name, rows.Length, model.Value.GetProperty("rows_1000_us").GetDouble(), thousandOneThread, thousand);
}

return 0;

async Task<double> Time(Func<ValueTask<InferenceResponse>> call)
{
    // Warm up long enough for tiered JIT to reach optimised code, then time for `seconds`.
    var warm = Stopwatch.StartNew();
    while (warm.Elapsed.TotalSeconds < Math.Max(1.0, seconds / 2))
    {
        await call();
    }

    long n = 0;
    var sw = Stopwatch.StartNew();
    while (sw.Elapsed.TotalSeconds < seconds || n < 5)
    {
        await call();
        n++;
    }

    return sw.Elapsed.TotalMicroseconds / n;
}

static void Row(string name, int rows, double sklearnUs, double oneThread, double ours) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {rows} | {sklearnUs:F1} | {oneThread:F1} | {ours:F1} | {sklearnUs / ours:F1}× |"));
