using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServeSharp.Abstractions;
using ServeSharp.Server.Models;

namespace ServeSharp.Server.Hosting;

/// <summary>Registration of runtimes and data-plane decorators.</summary>
public static class ModelServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a model runtime (one per format). The server picks it for models whose <c>--model-format</c>
    /// equals its <see cref="IModelRuntime.Format"/>, or, without a format, when its <see cref="IModelRuntime.CanLoad"/>
    /// accepts the model directory (runtimes are asked in registration order).
    /// </summary>
    public static IServiceCollection AddModelRuntime<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TRuntime>(this IServiceCollection services)
        where TRuntime : class, IModelRuntime
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRuntime, TRuntime>());
        return services;
    }

    /// <summary>Registers an already-built runtime instance.</summary>
    public static IServiceCollection AddModelRuntime(this IServiceCollection services, IModelRuntime runtime)
    {
        services.AddSingleton(runtime);
        return services;
    }

    /// <summary>
    /// Registers a data-plane decorator (batching, payload logging, ...). Decorators wrap every model the repository
    /// loads; the first registered is the outermost.
    /// </summary>
    public static IServiceCollection AddModelDecorator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TFactory>(this IServiceCollection services)
        where TFactory : class, IModelDecoratorFactory
    {
        services.AddSingleton<IModelDecoratorFactory, TFactory>();
        return services;
    }
}
