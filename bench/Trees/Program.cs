using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(ServeSharp.Bench.Trees.TreePredictBenchmarks).Assembly).Run(args);
