using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Tests.Pickle;

/// <summary>
/// Pickles that run code when Python loads them (each would create a marker file under
/// /tmp/servesharp-sklearn-hostile, or open a socket) must be refused with an error naming the global and the
/// file — and nothing may run. Resource attacks must fail fast with a clear error.
/// </summary>
public sealed class HostilePickleTests
{
    private const string MarkerDir = "/tmp/servesharp-sklearn-hostile";

    [Theory]
    [InlineData("os_system.pkl", "posix.system")]
    [InlineData("eval.pkl", "builtins.eval")]
    [InlineData("exec.pkl", "builtins.exec")]
    [InlineData("subprocess_popen.pkl", "subprocess.Popen")]
    [InlineData("builtins_open.pkl", "io.open")]
    [InlineData("socket_connect.pkl", "socket.create_connection")]
    [InlineData("getattr_trick.pkl", "builtins.getattr")]
    [InlineData("copyreg_reconstructor.pkl", "posix.system")]
    [InlineData("numpy_runstring.pkl", "numpy.testing._private.utils.runstring")]
    [InlineData("protocol0_os_system.pkl", "os.system")]
    [InlineData("inside_estimator.joblib", "posix.system")]
    public async Task Load_CodeExecutionGadget_IsRefusedAndNothingRuns(string file, string global)
    {
        var dir = ModelDir(file);
        var marker = Path.Combine(MarkerDir, Path.GetFileNameWithoutExtension(file));
        Directory.CreateDirectory(MarkerDir);
        File.Delete(marker);

        var ex = await Assert.ThrowsAsync<ModelLoadException>(async () =>
            await new SklearnRuntime().LoadAsync(new ModelLoadContext { Name = "evil", ModelDirectory = dir }, CancellationToken.None));

        Assert.Contains($"refused global '{global}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "the hostile pickle created its marker file");
    }

    [Theory]
    [InlineData("memo_bomb.pkl", "not a scikit-learn estimator")]
    [InlineData("deep_nesting.pkl", "deeper than")]
    [InlineData("huge_bytes_claim.pkl", "remain")]
    [InlineData("huge_array_claim.joblib", "remain")]
    public void Load_ResourceAttack_FailsWithClearError(string file, string expected)
    {
        var ex = Assert.Throws<ModelLoadException>(() =>
            new SklearnRuntime().LoadFile("evil", Path.Combine(FixturePaths.Hostile, file), predictProba: false));

        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), ex.Message);
    }

    private static string ModelDir(string file)
    {
        var dir = Path.Combine(Path.GetTempPath(), "servesharp-sklearn-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(FixturePaths.Hostile, file), Path.Combine(dir, file));
        return dir;
    }
}
