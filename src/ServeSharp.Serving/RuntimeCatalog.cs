using Microsoft.Extensions.DependencyInjection;
using ServeSharp.Runtimes.Onnx;
using ServeSharp.Runtimes.Trees.LightGbm;
using ServeSharp.Runtimes.Trees.XGBoost;
using ServeSharp.Server.Hosting;

namespace ServeSharp.Serving;

/// <summary>
/// The model runtimes `servesharp serve` offers. One line per runtime, e.g.
/// <c>services.AddModelRuntime&lt;OnnxRuntime&gt;();</c> (from <c>ServeSharp.Server.Hosting</c>).
/// Order matters only for format detection: runtimes are asked <c>CanLoad</c> in this order.
/// </summary>
internal static class RuntimeCatalog
{
    public static void Register(IServiceCollection services)
    {
        services.AddModelRuntime<OnnxModelRuntime>();
        services.AddModelRuntime<ServeSharp.Runtimes.Sklearn.SklearnRuntime>();
        services.AddModelRuntime<XGBoostRuntime>();
        services.AddModelRuntime<LightGbmRuntime>();
    }

    /// <summary>
    /// Does the native start-up work of the runtimes that the configured models will use (ONNX Runtime's environment) on
    /// the calling thread, so that a caller can overlap it with building the server instead of delaying the first model
    /// load. A model counts when its format is given as ONNX, or not given and its local directory holds an ONNX file
    /// (ONNX is asked first in <see cref="Register"/>). Repository subdirectories are not looked at.
    /// </summary>
    public static void WarmUp(ModelServerOptions options)
    {
        var onnx = options.Models.Any(m => IsOnnx(m.Directory, m.Format))
            || (options.ModelDirectory is { } directory && IsOnnx(directory, options.ModelFormat));
        if (onnx)
        {
            OnnxModelRuntime.WarmUp();
        }
    }

    private static bool IsOnnx(string directory, string? format) =>
        format is null ? new OnnxModelRuntime().CanLoad(directory) : string.Equals(format, OnnxModelRuntime.FormatName, StringComparison.OrdinalIgnoreCase);
}
