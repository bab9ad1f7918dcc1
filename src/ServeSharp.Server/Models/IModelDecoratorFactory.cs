using ServeSharp.Abstractions;

namespace ServeSharp.Server.Models;

/// <summary>
/// Wraps each loaded model in a decorator (register with <c>services.AddModelDecorator&lt;T&gt;()</c>).
/// This is where batching, payload logging and metrics plug into the data plane.
/// </summary>
public interface IModelDecoratorFactory
{
    /// <summary>Returns <paramref name="model"/> wrapped (or unchanged).</summary>
    IModel Decorate(IModel model);
}
