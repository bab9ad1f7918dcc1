using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace ServeSharp.Bench.Trees;

/// <summary>
/// Writes the benchmark table into bench/RESULTS.md between <c>&lt;!-- BEGIN trees --&gt;</c> and
/// <c>&lt;!-- END trees --&gt;</c>, appending the markers when absent; the rest of the file is left as it is.
/// </summary>
internal static class ResultsSection
{
    private const string Begin = "<!-- BEGIN trees -->";
    private const string End = "<!-- END trees -->";

    /// <summary>Returns false (and writes nothing) when the run did not cover all 16 cases.</summary>
    public static bool Write(string path, IReadOnlyList<Summary> summaries, Job job, string loadBefore)
    {
        var means = new Dictionary<(string Model, int Rows, string Method), (double Ns, long? Bytes)>();
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            if (report.ResultStatistics is not { } stats)
            {
                continue;
            }

            var c = report.BenchmarkCase;
            var key = ((string)c.Parameters["Model"], (int)c.Parameters["Rows"], c.Descriptor.WorkloadMethod.Name);
            means[key] = (stats.Mean, report.GcStats.GetBytesAllocatedPerOperation(c));
        }

        string[] methods = ["XGBoostServeSharp", "XGBoostNativePredict", "LightGbmServeSharp", "LightGbmNativePredict"];
        (string Model, int Rows)[] cases = [("100x6", 1), ("100x6", 1000), ("500", 1), ("500", 1000)];
        if (!cases.All(c => methods.All(m => means.ContainsKey((c.Model, c.Rows, m)))))
        {
            Console.WriteLine("Not all 16 cases ran (filtered run?); bench/RESULTS.md left unchanged.");
            return false;
        }

        var inv = CultureInfo.InvariantCulture;
        string Us(double ns) => (ns / 1000).ToString(ns < 10_000 ? "F2" : ns < 1_000_000 ? "F1" : "F0", inv);
        string Ratio(double native, double ours) => (native / ours).ToString("F1", inv) + "×";
        var text = new StringBuilder();
        text.AppendLine(Begin);
        text.AppendLine("## Tree models (XGBoost, LightGBM) vs the native libraries");
        text.AppendLine();
        text.AppendLine("Run (a few minutes; installs libxgboost0 when missing; writes this section only): `bench/trees.sh`");
        text.AppendLine();
        text.AppendLine("BenchmarkDotNet, one thread, in-process: ServeSharp = `IModel.PredictAsync` (request tensor in, response tensor");
        text.AppendLine("out); XGBoost native = `XGDMatrixCreateFromMat` + `XGBoosterPredict` (Debian libxgboost, what xgbserver does per");
        text.AppendLine("request, nthread=1); LightGBM native = `LGBM_BoosterPredictForMatSingleRowFast` for 1 row, `LGBM_BoosterPredictForMat`");
        text.AppendLine("(num_threads=1) for 1,000 rows (lib_lightgbm from the LightGBM NuGet package). Models: regression on 20 synthetic");
        text.AppendLine("features (5 % NaN), depth 6, 100 or 500 trees, trained by the native libraries. 1-row calls cycle through 1,024");
        text.AppendLine("different rows. Before timing, every request's answer is checked: XGBoost bit for bit, LightGBM within 1e-12.");
        text.AppendLine("Goals: 1 row ≥ 3× faster than native; 1,000 rows at least as fast (speed-up ≥ 1×).");
        text.AppendLine();
        text.AppendLine("| condition | value |");
        text.AppendLine("| --- | --- |");
        text.AppendLine($"| date (UTC) | {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", inv)} |");
        text.AppendLine($"| commit | {Git("rev-parse --short HEAD")} |");
        text.AppendLine($"| machine | {Environment.ProcessorCount} cores, {CpuModel()} |");
        text.AppendLine($"| load average before / after | {loadBefore} / {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3])} |");
        text.AppendLine($"| job | in-process, {job.Run.WarmupCount} warm-up + {job.Run.IterationCount} measured iterations per case, tiered compilation off (every method fully optimised on first call, as in the natively compiled server) |");
        text.AppendLine();
        text.AppendLine("| model | rows | XGBoost ServeSharp µs | XGBoost native µs | speed-up | LightGBM ServeSharp µs | LightGBM native µs | speed-up | ServeSharp alloc B/call (xgb / lgb) |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (model, rows) in cases)
        {
            var xo = means[(model, rows, "XGBoostServeSharp")];
            var xn = means[(model, rows, "XGBoostNativePredict")];
            var lo = means[(model, rows, "LightGbmServeSharp")];
            var ln = means[(model, rows, "LightGbmNativePredict")];
            var name = model == "100x6" ? "100 trees" : "500 trees";
            text.AppendLine(
                $"| {name} | {rows} | {Us(xo.Ns)} | {Us(xn.Ns)} | {Ratio(xn.Ns, xo.Ns)} | {Us(lo.Ns)} | {Us(ln.Ns)} | {Ratio(ln.Ns, lo.Ns)} | {xo.Bytes} / {lo.Bytes} |");
        }

        text.AppendLine();
        text.AppendLine("Means of the measured iterations. BenchmarkDotNet's full report: `bench/.work/trees/results/`.");
        text.Append(End);

        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmark results\n";
        var begin = existing.IndexOf(Begin, StringComparison.Ordinal);
        var end = existing.IndexOf(End, StringComparison.Ordinal);
        var updated = begin >= 0 && end > begin
            ? existing[..begin] + text + existing[(end + End.Length)..]
            : existing.TrimEnd('\n') + "\n\n" + text + "\n";
        File.WriteAllText(path, updated);
        return true;
    }

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    private static string Git(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, WorkingDirectory = RepositoryRoot.Find() });
            var output = git!.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return output.Length > 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
