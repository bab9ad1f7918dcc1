using System.Runtime.InteropServices;

namespace ServeSharp.Bench.Trees;

/// <summary>
/// A rough in-process comparison for development on a busy machine: each method's best per-call time over 7 rounds,
/// measured in thread CPU time (time spent descheduled does not count). Not what RESULTS.md reports.
/// </summary>
internal static partial class QuickRun
{
    public static void Run()
    {
        foreach (var model in new[] { "100x6", "500" })
        {
            foreach (var rows in new[] { 1, 1000 })
            {
                var b = new TreePredictBenchmarks { Model = model, Rows = rows };
                b.Setup();
                var methods = new (string Name, Func<double> Call)[]
                {
                    ("xgb ours", () => b.XGBoostServeSharp()), ("xgb native", () => b.XGBoostNativePredict()),
                    ("lgb ours", () => b.LightGbmServeSharp()), ("lgb native", () => b.LightGbmNativePredict()),
                };
                var best = new double[methods.Length];
                Array.Fill(best, double.MaxValue);
                for (var round = 0; round < 7; round++)
                {
                    for (var m = 0; m < methods.Length; m++)
                    {
                        var n = rows == 1 ? 20000 : 20;
                        var t0 = ThreadCpuNanoseconds();
                        for (var i = 0; i < n; i++)
                        {
                            methods[m].Call();
                        }

                        best[m] = Math.Min(best[m], (ThreadCpuNanoseconds() - t0) / 1000.0 / n);
                    }
                }

                for (var m = 0; m < methods.Length; m++)
                {
                    Console.WriteLine($"{model,6} {rows,5} {methods[m].Name,-12} {best[m],10:F2} us");
                }

                b.Cleanup();
            }
        }
    }

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private static long ThreadCpuNanoseconds()
    {
        ClockGetTime(ClockThreadCpuTime, out var time);
        return time.Seconds * 1_000_000_000 + time.Nanoseconds;
    }
}
