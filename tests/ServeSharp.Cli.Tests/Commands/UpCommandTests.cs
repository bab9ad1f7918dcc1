using ServeSharp.Cli.Commands;

namespace ServeSharp.Cli.Tests.Commands;

/// <summary>Whether <c>servesharp up</c> trusts a <c>servesharp-serve</c> beside it: only one that runs here.</summary>
public sealed class UpCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("servesharp-up-native-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Script(string body)
    {
        var path = Path.Combine(_dir, $"fake-{Guid.NewGuid():N}");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    [Fact]
    public void NativeThatPrintsItsVersion_Runs()
    {
        Assert.True(UpCommand.NativeRuns(Script("[ \"$1\" = --version ] && echo 1.0.0"), out var problem), problem);
    }

    [Fact]
    public void NativeThatFails_IsRejected_WithItsExitCodeAndMessage()
    {
        // What a Native AOT build for a newer CPU level prints on an older CPU.
        var ok = UpCommand.NativeRuns(Script("echo 'The required instruction sets are not supported by the current CPU.' >&2; exit 134"), out var problem);

        Assert.False(ok);
        Assert.Contains("exit code 134", problem, StringComparison.Ordinal);
        Assert.Contains("instruction sets are not supported", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void NativeThatCannotBeExecuted_IsRejected()
    {
        var path = Path.Combine(_dir, "not-executable");
        File.WriteAllText(path, "no");

        Assert.False(UpCommand.NativeRuns(path, out var problem));
        Assert.NotEmpty(problem);
    }
}
