using ServeSharp.Abstractions;

namespace ServeSharp.Server.Models;

/// <summary>
/// Base class of data-plane decorators (metrics, batching, payload logging): wraps a model and forwards to it.
/// Decorators are applied by the <see cref="ModelRepository"/> to every model it loads, in registration order
/// (the first registered decorator is the outermost).
/// </summary>
public abstract class ModelDecorator : IExplainableModel
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected ModelDecorator(IModel inner)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
    }

    /// <summary>The wrapped model (possibly another decorator).</summary>
    public IModel Inner { get; }

    /// <inheritdoc />
    public string Name => Inner.Name;

    /// <inheritdoc />
    public ModelMetadata Metadata => Inner.Metadata;

    /// <summary>True when the innermost model is an <see cref="IExplainableModel"/>.</summary>
    public bool CanExplain => Inner is ModelDecorator d ? d.CanExplain : Inner is IExplainableModel;

    /// <inheritdoc />
    public virtual ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken) =>
        Inner.PredictAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<InferenceResponse> ExplainAsync(InferenceRequest request, CancellationToken cancellationToken) =>
        Inner is IExplainableModel explainable
            ? explainable.ExplainAsync(request, cancellationToken)
            : throw InferenceException.NotImplemented(ModelEntry.NoExplainerMessage);

    /// <summary>Disposes the wrapped model.</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Inner.DisposeAsync();
    }
}
