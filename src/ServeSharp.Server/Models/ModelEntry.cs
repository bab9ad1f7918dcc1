using ServeSharp.Abstractions;
using ServeSharp.Server.Hosting;

namespace ServeSharp.Server.Models;

/// <summary>
/// One model in the repository: its state and, when ready, the decorated model. Counts in-flight requests so an
/// unload waits for them before disposing the model.
/// </summary>
public sealed class ModelEntry
{
    /// <summary>KServe's message for <c>:explain</c> on a model without an explainer.</summary>
    public const string NoExplainerMessage = "Could not find explainer_host.";

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;
    private int _inFlight;

    internal ModelEntry(string name, ModelSource? source, long sequence, ModelState state, IModel? model, string reason)
    {
        Name = name;
        Source = source;
        Sequence = sequence;
        _state = (int)state;
        Model = model;
        Reason = reason;
    }

    /// <summary>The served name.</summary>
    public string Name { get; }

    /// <summary>Where the model was loaded from (null for models registered in code).</summary>
    public ModelSource? Source { get; }

    /// <summary>Registration order, for listings.</summary>
    internal long Sequence { get; }

    /// <summary>Current state.</summary>
    public ModelState State => (ModelState)Volatile.Read(ref _state);

    /// <summary>The decorated model when <see cref="State"/> is Ready (or Unloading).</summary>
    public IModel? Model { get; }

    /// <summary>Why the model is not ready (empty when it is).</summary>
    public string Reason { get; }

    /// <summary>True when the underlying model has an explainer.</summary>
    public bool CanExplain => Model is ModelDecorator d ? d.CanExplain : Model is IExplainableModel;

    /// <summary>Registers an in-flight request; false when the model is not ready.</summary>
    internal bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (State == ModelState.Ready)
        {
            return true;
        }

        Exit();
        return false;
    }

    /// <summary>Ends an in-flight request.</summary>
    internal void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && State == ModelState.Unloading)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Refuses new requests and waits for in-flight ones.</summary>
    internal Task DrainAsync()
    {
        Interlocked.Exchange(ref _state, (int)ModelState.Unloading);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }
}
