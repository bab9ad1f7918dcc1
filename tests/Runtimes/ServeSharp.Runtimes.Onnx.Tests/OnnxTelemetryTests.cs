using System.Runtime.InteropServices;

namespace ServeSharp.Runtimes.Onnx.Tests;

/// <summary>
/// The opt-out must reach the native environment, where ONNX Runtime's getenv reads it, and must leave a value the
/// user set alone. Each test uses a variable of its own so the process environment of other tests is untouched.
/// </summary>
public sealed partial class OnnxTelemetryTests
{
    [Fact]
    public void Unset_IsSetInTheNativeAndManagedEnvironment()
    {
        var variable = UniqueVariable();
        Assert.True(OnnxTelemetry.SetUnlessConfigured(variable, "1"));
        Assert.Equal("1", Environment.GetEnvironmentVariable(variable));
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal("1", NativeGetEnv(variable));
        }
    }

    [Fact]
    public void SetByTheUser_IsLeftAlone()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Simulating a user's variable needs setenv(3).
        }

        // A variable from the process's start is in both environments.
        var variable = UniqueVariable();
        Assert.Equal(0, NativeMethods.SetEnv(variable, "0", 1));
        Environment.SetEnvironmentVariable(variable, "0");

        Assert.False(OnnxTelemetry.SetUnlessConfigured(variable, "1"));
        Assert.Equal("0", NativeGetEnv(variable));
        Assert.Equal("0", Environment.GetEnvironmentVariable(variable));
    }

    [Fact]
    public void DisableUnlessConfigured_LeavesOrtDisableTelemetrySetNatively()
    {
        var before = Environment.GetEnvironmentVariable(OnnxTelemetry.DisableVariable);
        OnnxTelemetry.DisableUnlessConfigured();
        var expected = before ?? "1";
        Assert.Equal(expected, Environment.GetEnvironmentVariable(OnnxTelemetry.DisableVariable));
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(expected, NativeGetEnv(OnnxTelemetry.DisableVariable));
        }
    }

    private static string UniqueVariable() => $"SERVESHARP_TEST_{Guid.NewGuid():N}";

    private static string? NativeGetEnv(string variable) => Marshal.PtrToStringUTF8(NativeMethods.GetEnv(variable));

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial nint GetEnv(string name);

        [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int SetEnv(string name, string value, int overwrite);
    }
}
