using ServeSharp.Abstractions;
using ServeSharp.Server.Hosting;

namespace ServeSharp.Server.Models;

/// <summary>
/// One model in the repository: its state and, when ready, the decorated model. Counts in-flight requests so an
/// unload waits for them before disposing the model. The count is striped by core (each stripe on its own cache
/// lines, away from the fields every request reads): one shared counter moved its cache line between the cores on
/// every request's entry and exit.
/// </summary>
public sealed class ModelEntry
{
    /// <summary>KServe's message for <c>:explain</c> on a model without an explainer.</summary>
    public const string NoExplainerMessage = "Could not find explainer_host.";

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StripedCounter _inFlight = new();
    private int _state;

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

    /// <summary>
    /// Registers an in-flight request; false when the model is not ready. <paramref name="stripe"/> goes back to
    /// <see cref="Exit"/>, whichever thread the request ends on.
    /// </summary>
    internal bool TryEnter(out int stripe)
    {
        stripe = _inFlight.CurrentStripe;
        _inFlight.Add(stripe, 1);
        if (State == ModelState.Ready)
        {
            return true;
        }

        Exit(stripe);
        return false;
    }

    /// <summary>Ends an in-flight request that <see cref="TryEnter"/> registered on <paramref name="stripe"/>.</summary>
    internal void Exit(int stripe)
    {
        // Each stripe only counts requests that entered on it, so it never goes below zero; once the state is
        // Unloading no request enters for good, stripes only fall, and all of them reading zero means none is left.
        // The interlocked decrement orders this exit before the reads below, and DrainAsync's exchange orders the
        // state change before its own sum, so the last exit or the drain itself always sees zero.
        _inFlight.Add(stripe, -1);
        if (State == ModelState.Unloading && InFlight == 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Refuses new requests and waits for in-flight ones.</summary>
    internal Task DrainAsync()
    {
        Interlocked.Exchange(ref _state, (int)ModelState.Unloading);
        if (InFlight == 0)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }

    /// <summary>Requests between <see cref="TryEnter"/> and <see cref="Exit"/> (exact once no request enters).</summary>
    internal int InFlight => (int)_inFlight.Value;
}
