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
}
