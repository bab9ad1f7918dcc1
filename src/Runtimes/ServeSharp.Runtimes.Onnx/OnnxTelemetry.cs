using System.Runtime.InteropServices;

namespace ServeSharp.Runtimes.Onnx;

/// <summary>
/// ONNX Runtime's Linux build carries Microsoft's 1DS telemetry: creating its environment opens a SQLite event store
/// under <c>~/.cache/Microsoft/DeveloperTools/.onnxruntime</c> (with a device id) for upload, which costs start-up time
/// and is not what a user expects of a model server (KServe's servers send nothing). ServeSharp turns it off by
/// setting <c>ORT_DISABLE_TELEMETRY=1</c> in the process environment before the first ONNX Runtime call, unless the
/// variable is already set (then the user's value stands).
/// </summary>
internal static partial class OnnxTelemetry
{
    /// <summary>The variable ONNX Runtime reads when it creates its environment.</summary>
    public const string DisableVariable = "ORT_DISABLE_TELEMETRY";

    /// <summary>
    /// Sets the opt-out unless the variable is set (by the user, or by an earlier call: the managed copy below records
    /// it). Must run before ONNX Runtime creates its environment.
    /// </summary>
    public static void DisableUnlessConfigured() => SetUnlessConfigured(DisableVariable, "1");

    /// <summary>
    /// Sets <paramref name="variable"/> to <paramref name="value"/> in both the native (getenv) and the managed process
    /// environment unless it is already set in the managed one; returns whether it did.
    /// </summary>
    internal static bool SetUnlessConfigured(string variable, string value)
    {
        if (Environment.GetEnvironmentVariable(variable) is not null)
        {
            return false;
        }

        // ONNX Runtime reads the native environment (getenv); .NET's Environment.SetEnvironmentVariable does not write
        // it on Unix, so setenv(3) is called directly. Windows builds of ONNX Runtime have no 1DS uploader.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = NativeMethods.SetEnv(variable, value, overwrite: 0);
        }

        Environment.SetEnvironmentVariable(variable, value);
        return true;
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int SetEnv(string name, string value, int overwrite);
    }
}
