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
        Assert.True(entry.TryEnter());
        var unload = repository.UnloadAsync("g");
        Assert.False(unload.IsCompleted);
        Assert.False(gate.Disposed);
        Assert.False(entry.TryEnter());
        entry.Exit();
        await unload;
        Assert.True(gate.Disposed);
    }
}
