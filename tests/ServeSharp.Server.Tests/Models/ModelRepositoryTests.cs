using Microsoft.Extensions.Logging.Abstractions;
using ServeSharp.Abstractions;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Models;
using ServeSharp.Server.Tests.TestModels;

namespace ServeSharp.Server.Tests.Models;

public sealed class ModelRepositoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("servesharp-repo-unit-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static ModelRepository Create(params IModelRuntime[] runtimes) =>
        new(runtimes, [], new ModelServerOptions(), NullLogger<ModelRepository>.Instance);

    [Fact]
    public async Task Load_ExplicitUnknownFormat_FailsNamingAvailableFormats()
    {
        var dir = TestRuntime.CreateModelDirectory(_root, "m", "echo");
        await using var repository = Create(new TestRuntime());
        var entry = await repository.LoadAsync(new ModelSource("m", dir, "onnx"));
        Assert.Equal(ModelState.Failed, entry.State);
        Assert.Equal("No runtime for model format 'onnx'. Available formats: test.", entry.Reason);
    }

    [Fact]
    public async Task Load_UnrecognisedFiles_FailsSuggestingModelFormat()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        await using var repository = Create(new TestRuntime());
        var entry = await repository.LoadAsync(new ModelSource("empty", dir));
        Assert.Equal(ModelState.Failed, entry.State);
        Assert.Contains("--model-format", entry.Reason);
    }

    [Fact]
    public async Task Load_MissingDirectory_Fails()
    {
        await using var repository = Create(new TestRuntime());
        var entry = await repository.LoadAsync(new ModelSource("m", Path.Combine(_root, "nope")));
        Assert.Equal(ModelState.Failed, entry.State);
        Assert.Contains("does not exist", entry.Reason);
    }

    [Fact]
    public async Task Unload_WaitsForInFlightRequests_ThenDisposes()
    {
        await using var repository = Create();
        var gate = new GateModel("g");
        await repository.AddAsync(gate);
        Assert.True(repository.TryGet("g", out var entry));
        Assert.True(entry.TryEnter(out var stripe));
        var unload = repository.UnloadAsync("g");
        Assert.False(unload.IsCompleted);
        Assert.False(gate.Disposed);
        Assert.False(entry.TryEnter(out _));
        entry.Exit(stripe);
        await unload;
        Assert.True(gate.Disposed);
    }

    [Fact]
    public async Task Unload_WithRequestsInOnSeveralCores_WaitsUntilTheLastCoreIsEmpty()
    {
        await using var repository = Create();
        var gate = new GateModel("g");
        await repository.AddAsync(gate);
        Assert.True(repository.TryGet("g", out var entry));

        // The in-flight count is striped by core: get requests in on at least two cores' stripes, from busy threads
        // running at the same time (so on different cores where there are several).
        var entered = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var wanted = Math.Min(2, Environment.ProcessorCount);
        for (var attempt = 0; attempt < 50 && entered.Distinct().Count() < wanted; attempt++)
        {
            var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
            {
                var busy = System.Diagnostics.Stopwatch.StartNew();
                while (busy.ElapsedMilliseconds < 5)
                {
                    Thread.SpinWait(100);
                }

                Assert.True(entry.TryEnter(out var stripe));
                entered.Enqueue(stripe);
            })).ToArray();
            Array.ForEach(threads, t => t.Start());
            Array.ForEach(threads, t => t.Join());
        }

        var byStripe = entered.GroupBy(s => s).ToArray();
        var left = new List<int>(entered);
        try
        {
            Assert.True(byStripe.Length >= wanted, $"requests entered on {byStripe.Length} stripe(s)");
            Assert.Equal(entered.Count, entry.InFlight);

            var unload = repository.UnloadAsync("g");
            Assert.False(entry.TryEnter(out _));

            // Emptying every stripe but the last must not let the unload through.
            foreach (var stripe in byStripe[..^1].SelectMany(g => g))
            {
                entry.Exit(stripe);
                left.Remove(stripe);
            }

            await Task.Delay(50);
            Assert.False(unload.IsCompleted);
            Assert.False(gate.Disposed);

            foreach (var stripe in byStripe[^1])
            {
                entry.Exit(stripe);
                left.Remove(stripe);
            }

            await unload.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(gate.Disposed);
            Assert.Equal(0, entry.InFlight);
        }
        finally
        {
            // Whatever failed, no request stays in: the repository's disposal would wait for it.
            left.ForEach(entry.Exit);
        }
    }
}
