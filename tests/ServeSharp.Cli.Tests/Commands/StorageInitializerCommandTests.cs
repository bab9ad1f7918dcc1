using System.Diagnostics;

namespace ServeSharp.Cli.Tests.Commands;

/// <summary>Runs the real <c>servesharp</c> binary, as an init container would.</summary>
public sealed class StorageInitializerCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("servesharp-cli-storage-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "servesharp.dll"));
        info.ArgumentList.Add("storage-initializer");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task OddArgumentCount_IsAnErrorWithUsage()
    {
        var (code, _, stderr) = await RunAsync("s3://bucket/model", "/mnt/models", "gs://other");

        Assert.Equal(1, code);
        Assert.Contains("Usage: servesharp storage-initializer src_uri_0 dest_path_0", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pairs_AreDownloadedInOrderWithPlainLogLines()
    {
        var first = Directory.CreateDirectory(Path.Combine(_temp, "first")).FullName;
        var second = Directory.CreateDirectory(Path.Combine(_temp, "second")).FullName;
        await File.WriteAllTextAsync(Path.Combine(first, "model.onnx"), "one");
        await File.WriteAllTextAsync(Path.Combine(second, "model.json"), "two");

        var (code, stdout, stderr) = await RunAsync(first, Path.Combine(_temp, "dest1"), "file://" + second, Path.Combine(_temp, "dest2"));

        Assert.True(code == 0, stderr);
        Assert.Equal("one", await File.ReadAllTextAsync(Path.Combine(_temp, "dest1", "model.onnx")));
        Assert.Equal("two", await File.ReadAllTextAsync(Path.Combine(_temp, "dest2", "model.json")));
        Assert.Contains("Successfully copied", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_ExitsOneWithTheReason()
    {
        var (code, _, stderr) = await RunAsync("oci://registry/model:1", Path.Combine(_temp, "dest"));

        Assert.Equal(1, code);
        Assert.Contains("not supported yet: oci", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp, "dest")));
    }

    [Fact]
    public async Task PvcOption_MapsClaims()
    {
        var claim = Directory.CreateDirectory(Path.Combine(_temp, "claim", "iris")).FullName;
        await File.WriteAllTextAsync(Path.Combine(claim, "model.onnx"), "pvc");

        var (code, _, stderr) = await RunAsync("--pvc", "models=" + Path.Combine(_temp, "claim"), "pvc://models/iris", Path.Combine(_temp, "dest"));

        Assert.True(code == 0, stderr);
        Assert.Equal("pvc", await File.ReadAllTextAsync(Path.Combine(_temp, "dest", "model.onnx")));
    }
}
