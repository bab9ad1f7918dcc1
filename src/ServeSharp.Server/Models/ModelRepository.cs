using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ServeSharp.Abstractions;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Logging;

namespace ServeSharp.Server.Models;

/// <summary>
/// The models of this server. Models come and go at run time: they are loaded through the registered
/// <see cref="IModelRuntime"/>s (by explicit format or by detection with <see cref="IModelRuntime.CanLoad"/>),
/// wrapped by the registered decorators, and disposed on unload once their in-flight requests finish.
/// Operations on one name are serialised; different names proceed in parallel.
/// </summary>
public sealed class ModelRepository : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ModelEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly RuntimeSelector _runtimes;
    private readonly IReadOnlyList<IModelDecoratorFactory> _decorators;
    private readonly ModelServerOptions _options;
    private readonly ILogger<ModelRepository> _logger;
    private long _sequence;

    /// <summary>Creates the repository.</summary>
    public ModelRepository(
        IEnumerable<IModelRuntime> runtimes,
        IEnumerable<IModelDecoratorFactory> decorators,
        ModelServerOptions options,
        ILogger<ModelRepository> logger)
    {
        _runtimes = new RuntimeSelector(runtimes);
        _decorators = [.. decorators];
        _options = options;
        _logger = logger;
    }

    /// <summary>The model formats of the registered runtimes.</summary>
    public IReadOnlyList<string> Formats => _runtimes.Formats;

    /// <summary>All entries in registration order.</summary>
    public IReadOnlyList<ModelEntry> Entries => [.. _entries.Values.OrderBy(e => e.Sequence)];

    /// <summary>True while any model is loading.</summary>
    public bool AnyLoading => _entries.Values.Any(e => e.State == ModelState.Loading);

    /// <summary>Finds an entry by name.</summary>
    public bool TryGet(string name, out ModelEntry entry) => _entries.TryGetValue(name, out entry!);

    /// <summary>
    /// Loads (or reloads) a model from <paramref name="source"/>. Never throws for load failures: the returned entry
    /// is <see cref="ModelState.Failed"/> with the reason. While a ready model reloads it keeps serving; a failed
    /// reload leaves the previous version in place.
    /// </summary>
    public async Task<ModelEntry> LoadAsync(ModelSource source, CancellationToken cancellationToken = default)
    {
        ModelNameRules.Check(source.Name);
        var gate = _locks.GetOrAdd(source.Name, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _entries.TryGetValue(source.Name, out var previous);
            var sequence = previous?.Sequence ?? Interlocked.Increment(ref _sequence);
            if (previous is null || previous.State != ModelState.Ready)
            {
                _entries[source.Name] = new ModelEntry(source.Name, source, sequence, ModelState.Loading, null, "Loading.");
            }

            ServerLog.ModelLoading(_logger, source.Name, source.Directory, source.Format ?? "(detect)");
            IModel model;
            try
            {
                var runtime = _runtimes.Select(source);
                model = await runtime.LoadAsync(
                    new ModelLoadContext { Name = source.Name, ModelDirectory = source.Directory, Settings = source.Settings },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var reason = e is ModelLoadException or InferenceException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                ServerLog.ModelLoadFailed(_logger, source.Name, reason, e);
                if (previous is null || previous.State != ModelState.Ready)
                {
                    var failed = new ModelEntry(source.Name, source, sequence, ModelState.Failed, null, reason);
                    _entries[source.Name] = failed;
                    return failed;
                }

                return new ModelEntry(source.Name, source, sequence, ModelState.Failed, null, reason);
            }

            var ready = new ModelEntry(source.Name, source, sequence, ModelState.Ready, Decorate(model), string.Empty);
            _entries[source.Name] = ready;
            ServerLog.ModelReady(_logger, source.Name);
            if (previous?.Model is not null)
            {
                await RetireAsync(previous).ConfigureAwait(false);
            }

            return ready;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Loads a model by name: reloads a known model from its source, or loads <c>{repository root}/{name}</c>.
    /// </summary>
    /// <exception cref="InferenceException">Unknown model and no repository root holding it (ModelNotFound), or an invalid name.</exception>
    public Task<ModelEntry> LoadByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!ModelNameRules.IsValid(name))
        {
            throw InferenceException.InvalidInput($"'{name}' is not a valid model name.");
        }

        if (_entries.TryGetValue(name, out var known) && known.Source is not null)
        {
            return LoadAsync(known.Source, cancellationToken);
        }

        if (_options.ModelRepositoryRoot is { } root && Directory.Exists(Path.Combine(root, name)))
        {
            return LoadAsync(new ModelSource(name, Path.Combine(root, name)), cancellationToken);
        }

        if (known is not null)
        {
            // Registered in code: nothing to reload from.
            return Task.FromResult(known);
        }

        throw InferenceException.ModelNotFound(name);
    }

    /// <summary>Registers an already-constructed model (custom models, tests) as ready.</summary>
    public async Task<ModelEntry> AddAsync(IModel model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelNameRules.Check(model.Name);
        var gate = _locks.GetOrAdd(model.Name, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _entries.TryGetValue(model.Name, out var previous);
            var entry = new ModelEntry(
                model.Name, null, previous?.Sequence ?? Interlocked.Increment(ref _sequence), ModelState.Ready, Decorate(model), string.Empty);
            _entries[model.Name] = entry;
            if (previous?.Model is not null)
            {
                await RetireAsync(previous).ConfigureAwait(false);
            }

            return entry;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Unloads a model: refuses new requests, waits for in-flight ones, disposes it.</summary>
    /// <exception cref="InferenceException">Unknown model (ModelNotFound).</exception>
    public async Task UnloadAsync(string name, CancellationToken cancellationToken = default)
    {
        var gate = _locks.GetOrAdd(name, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_entries.TryRemove(name, out var entry))
            {
                throw InferenceException.ModelNotFound(name);
            }

            await RetireAsync(entry).ConfigureAwait(false);
            ServerLog.ModelUnloaded(_logger, name);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Disposes every model.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var name in _entries.Keys.ToList())
        {
            if (_entries.TryRemove(name, out var entry))
            {
                await RetireAsync(entry).ConfigureAwait(false);
            }
        }
    }

    private IModel Decorate(IModel model)
    {
        // Apply in reverse so the first registered decorator ends up outermost.
        for (var i = _decorators.Count - 1; i >= 0; i--)
        {
            model = _decorators[i].Decorate(model);
        }

        return model;
    }

    private async Task RetireAsync(ModelEntry entry)
    {
        if (entry.Model is null)
        {
            return;
        }

        await entry.DrainAsync().ConfigureAwait(false);
        try
        {
            await entry.Model.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ServerLog.ModelDisposeFailed(_logger, entry.Name, e);
        }
    }
}
