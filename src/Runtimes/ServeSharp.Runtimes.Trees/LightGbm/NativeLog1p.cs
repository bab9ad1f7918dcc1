using System.Runtime.InteropServices;

namespace ServeSharp.Runtimes.Trees.LightGbm;

/// <summary>
/// <c>log1p</c> from the C library LightGBM itself links against (glibc's libm on Linux), so cross_entropy_lambda
/// outputs match bit for bit; elsewhere an accurate managed version (within about one ulp) is used.
/// </summary>
internal static class NativeLog1p
{
    private static readonly bool Available = Probe();

    public static double Compute(double x) => Available ? log1p(x) : Managed(x);

    // Goldberg's correction: log(1+x) · x / ((1+x) - 1).
    private static double Managed(double x)
    {
        var u = 1.0 + x;
        if (u == 1.0)
        {
            return x;
        }

        return double.IsInfinity(u) ? u : Math.Log(u) * x / (u - 1.0);
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return Math.Abs(log1p(0.5) - Math.Log(1.5)) < 1e-15;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libm.so.6", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SA1300, IDE1006 // the C function's name
    private static extern double log1p(double x);
#pragma warning restore SA1300, IDE1006
}
