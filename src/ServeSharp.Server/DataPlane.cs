using Microsoft.Extensions.Logging;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.V2;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Logging;
using ServeSharp.Server.Models;

namespace ServeSharp.Server;

/// <summary>
/// The one data plane behind V1 REST, V2 REST and V2 gRPC: health, metadata, inference, explanation and the
/// repository extension, with KServe's error semantics. Transports only decode, call this, and encode.
/// </summary>
public sealed class DataPlane
{
    /// <summary>Extensions advertised at <c>GET /v2</c>: KServe's name plus the Triton names we implement.</summary>
    public static readonly IReadOnlyList<string> Extensions =
        ["model_repository_extension", "model_repository", "binary_tensor_data", "parameters"];

    private readonly ModelRepository _repository;
    private readonly ServerState _state;
    private readonly ModelServerOptions _options;
    private readonly ILogger<DataPlane> _logger;

    /// <summary>Creates the data plane.</summary>
    public DataPlane(ModelRepository repository, ServerState state, ModelServerOptions options, ILogger<DataPlane> logger)
    {
        _repository = repository;
        _state = state;
        _options = options;
        _logger = logger;
    }

    /// <summary>The repository behind this data plane.</summary>
    public ModelRepository Repository => _repository;

    /// <summary>Server name for metadata.</summary>
    public string ServerName => _options.ServerName;

    /// <summary>Server version for metadata.</summary>
    public string ServerVersion => _options.ServerVersion;

    /// <summary>Liveness: the process answers.</summary>
    public bool IsLive => true;

    /// <summary>
    /// Readiness: start-up finished, not shutting down, no model still loading, and — when there are models —
    /// at least one of them ready (KServe refuses to start when none is; we start and report not ready instead).
    /// </summary>
    public bool IsReady
    {
        get
        {
            if (!_state.Started || _state.Stopping)
            {
                return false;
            }

            var entries = _repository.Entries;
            if (entries.Count == 0)
            {
                return true;
            }

            var anyReady = false;
            foreach (var entry in entries)
            {
                if (entry.State == ModelState.Loading)
                {
                    return false;
                }

                anyReady |= entry.State == ModelState.Ready;
            }

            return anyReady;
        }
    }

    /// <summary>Names of all models, in registration order.</summary>
    public IEnumerable<string> ModelNames => _repository.Entries.Select(e => e.Name);

    /// <summary>The entry for <paramref name="name"/>.</summary>
    /// <exception cref="InferenceException">ModelNotFound.</exception>
    public ModelEntry GetEntry(string name) =>
        _repository.TryGet(name, out var entry) ? entry : throw InferenceException.ModelNotFound(name);

    /// <summary>True when the model is ready; false when it exists but is not.</summary>
    /// <exception cref="InferenceException">ModelNotFound.</exception>
    public bool IsModelReady(string name) => GetEntry(name).State == ModelState.Ready;

    /// <summary>Throws ModelNotReady (with the load failure reason) unless the model is ready.</summary>
    public void EnsureModelReady(string name)
    {
        var entry = GetEntry(name);
        if (entry.State != ModelState.Ready)
        {
            throw NotReady(entry);
        }
    }

    /// <summary>The model's metadata.</summary>
    /// <exception cref="InferenceException">ModelNotFound, or ModelNotReady when it is not loaded.</exception>
    public ModelMetadata GetModelMetadata(string name)
    {
        var entry = GetEntry(name);
        return entry.Model?.Metadata ?? throw NotReady(entry);
    }

    /// <summary>
    /// Runs inference: finds the ready model, predicts through its decorators, keeps only the requested outputs
    /// (in request order) and fills in the response id.
    /// </summary>
    public ValueTask<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, explain: false, cancellationToken);

    /// <summary>Explains: like <see cref="InferAsync"/> but through the model's explainer (501 when it has none).</summary>
    public ValueTask<InferenceResponse> ExplainAsync(InferenceRequest request, CancellationToken cancellationToken) =>
        RunAsync(request, explain: true, cancellationToken);

    /// <summary>Loads (or reloads) a model by name; throws ModelNotReady with the reason when loading fails.</summary>
    public async Task LoadAsync(string name, CancellationToken cancellationToken)
    {
        var entry = await _repository.LoadByNameAsync(name, cancellationToken).ConfigureAwait(false);
        if (entry.State != ModelState.Ready)
        {
            throw NotReady(entry);
        }
    }

    /// <summary>Unloads a model; ModelNotFound when unknown.</summary>
    public Task UnloadAsync(string name, CancellationToken cancellationToken) => _repository.UnloadAsync(name, cancellationToken);

    /// <summary>The repository index (Triton states), optionally only ready models.</summary>
    public IEnumerable<RepositoryIndexEntry> Index(bool readyOnly)
    {
        foreach (var entry in _repository.Entries)
        {
            if (readyOnly && entry.State != ModelState.Ready)
            {
                continue;
            }

            var state = entry.State switch
            {
                ModelState.Ready => "READY",
                ModelState.Loading => "LOADING",
                ModelState.Unloading => "UNLOADING",
                _ => "UNAVAILABLE",
            };
            yield return new RepositoryIndexEntry(entry.Name, null, state, entry.Reason);
        }
    }

    private async ValueTask<InferenceResponse> RunAsync(InferenceRequest request, bool explain, CancellationToken cancellationToken)
    {
        var entry = GetEntry(request.ModelName);
        if (!entry.TryEnter(out var stripe))
        {
            throw NotReady(entry);
        }

        try
        {
            var model = entry.Model!;
            InferenceResponse response;
            try
            {
                if (explain)
                {
                    if (!entry.CanExplain)
                    {
                        throw InferenceException.NotImplemented(ModelEntry.NoExplainerMessage);
                    }

                    response = await ((IExplainableModel)model).ExplainAsync(request, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    response = await model.PredictAsync(request, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (InferenceException)
            {
                throw;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                ServerLog.PredictFailed(_logger, request.ModelName, e);
                throw new InferenceException(InferenceErrorKind.InferenceFailed, e.Message, e);
            }

            response = SelectOutputs(request, response);
            // V1 responses carry no id, so only V2 pays for a generated one.
            if (request.Protocol != InferenceProtocol.V1)
            {
                response.Id ??= request.Id ?? RandomUuid.NewString();
            }

            return response;
        }
        finally
        {
            entry.Exit(stripe);
        }
    }

    private static InferenceResponse SelectOutputs(InferenceRequest request, InferenceResponse response)
    {
        var requested = request.Outputs;
        if (requested is null || requested.Count == 0)
        {
            return response;
        }

        var selected = new Tensor[requested.Count];
        for (var i = 0; i < selected.Length; i++)
        {
            selected[i] = Find(response.Outputs, requested[i].Name)
                ?? throw InferenceException.InvalidInput(
                    $"Unexpected inference output '{requested[i].Name}' for model '{request.ModelName}'");
        }

        return new InferenceResponse(response.ModelName, selected)
        {
            ModelVersion = response.ModelVersion,
            Id = response.Id,
            Parameters = response.Parameters,
        };
    }

    private static Tensor? Find(IReadOnlyList<Tensor> outputs, string name)
    {
        foreach (var output in outputs)
        {
            if (output.Name == name)
            {
                return output;
            }
        }

        return null;
    }

    private static InferenceException NotReady(ModelEntry entry) =>
        InferenceException.ModelNotReady(entry.Name, entry.Reason.Length == 0 || entry.State == ModelState.Ready ? null : entry.Reason);
}
