using System.Runtime.InteropServices;

namespace ServeSharp.Bench.Trees;

/// <summary>The classic XGBoost C API (Debian's libxgboost0 1.7.4: /usr/lib/x86_64-linux-gnu/libxgboost.so.0).</summary>
internal static partial class XGBoostNative
{
    private const string Library = "libxgboost.so.0";

    [LibraryImport(Library)]
    public static partial int XGDMatrixCreateFromMat(nint data, ulong rows, ulong cols, float missing, out nint handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int XGDMatrixSetFloatInfo(nint handle, string field, nint data, ulong length);

    [LibraryImport(Library)]
    public static partial int XGDMatrixFree(nint handle);

    [LibraryImport(Library)]
    public static partial int XGBoosterCreate(nint[] dmats, ulong length, out nint booster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int XGBoosterSetParam(nint booster, string name, string value);

    [LibraryImport(Library)]
    public static partial int XGBoosterUpdateOneIter(nint booster, int iteration, nint dtrain);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int XGBoosterSaveModel(nint booster, string fileName);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int XGBoosterLoadModel(nint booster, string fileName);

    [LibraryImport(Library)]
    public static partial int XGBoosterPredict(nint booster, nint dmat, int optionMask, uint ntreeLimit, int training, out ulong length, out nint result);

    [LibraryImport(Library)]
    public static partial int XGBoosterFree(nint booster);

    [LibraryImport(Library)]
    public static partial nint XGBGetLastError();

    public static void Check(int rc)
    {
        if (rc != 0)
        {
            throw new InvalidOperationException("XGBoost: " + Marshal.PtrToStringUTF8(XGBGetLastError()));
        }
    }
}
