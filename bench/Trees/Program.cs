using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ServeSharp.Bench.Trees;

// bench/Trees: ServeSharp's tree runtimes against libxgboost and lib_lightgbm. See the "trees" section of
// bench/RESULTS.md for the command; `--quick` is a rough in-process check (thread CPU time, no BenchmarkDotNet).
var root = RepositoryRoot.Find();
if (args.Contains("--quick"))
{
    QuickRun.Run();
    return;
}

if (args.Length == 0)
{
    args = ["--filter", "*"];
}

// In-process (no generated project to build, which can time out on a busy 2-core machine), 3 warm-up and 9 measured
// iterations per case: 16 cases in a few minutes.
var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(9).WithId("trees");
var config = DefaultConfig.Instance
    .AddJob(job.AsDefault())
    .WithArtifactsPath(Path.Combine(root, "bench", ".work", "trees"));
var loadBefore = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
var summaries = BenchmarkSwitcher.FromAssembly(typeof(TreePredictBenchmarks).Assembly).Run(args, config).ToList();
var results = Path.Combine(root, "bench", "RESULTS.md");
if (ResultsSection.Write(results, summaries, job, string.Join(' ', loadBefore)))
{
    Console.WriteLine($"Wrote the trees section of {results}");
}
