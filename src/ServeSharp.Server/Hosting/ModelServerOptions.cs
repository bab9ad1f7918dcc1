using System.Reflection;

namespace ServeSharp.Server.Hosting;

/// <summary>Settings of one model-server process. Validated by <see cref="Validate"/> before the server starts.</summary>
public sealed class ModelServerOptions
{
    /// <summary>KServe's default REST body limit is unbounded; ours is 64 MiB.</summary>
    public const long DefaultMaxRequestBodySize = 64L * 1024 * 1024;

    /// <summary>KServe's default gRPC message limit (send and receive): 8 MiB.</summary>
    public const int DefaultGrpcMaxMessageSize = 8 * 1024 * 1024;

    /// <summary>Address to listen on: null, <c>*</c> or <c>0.0.0.0</c> = all interfaces; otherwise an IP address.</summary>
    public string? Host { get; set; }

    /// <summary>REST port (HTTP/1.1). 0 picks a free port.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>gRPC port (cleartext HTTP/2). 0 picks a free port.</summary>
    public int GrpcPort { get; set; } = 8081;

    /// <summary>Largest REST request body in bytes; larger bodies get 413.</summary>
    public long MaxRequestBodySize { get; set; } = DefaultMaxRequestBodySize;

    /// <summary>Largest gRPC request message; larger ones get RESOURCE_EXHAUSTED.</summary>
    public int GrpcMaxReceiveMessageSize { get; set; } = DefaultGrpcMaxMessageSize;

    /// <summary>Largest gRPC response message.</summary>
    public int GrpcMaxSendMessageSize { get; set; } = DefaultGrpcMaxMessageSize;

    /// <summary>Log one line per inference request with its x-request-id and timings (KServe's latency log).</summary>
    public bool EnableLatencyLogging { get; set; }

    /// <summary>How V1 answers to CloudEvent requests are labelled (KServe's <c>CE_TYPE</c>, <c>CE_SOURCE</c>, <c>CE_MERGE</c>).</summary>
    public Rest.CloudEvents.CloudEventOptions CloudEvents { get; set; } = new();

    /// <summary>
    /// Directory whose subdirectories are models (<c>{root}/{name}</c>): used by repository load requests for models
    /// the server does not know yet. Null disables loading unknown names.
    /// </summary>
    public string? ModelRepositoryRoot { get; set; }

    /// <summary>Models loaded at start-up.</summary>
    public IList<ModelSource> Models { get; } = [];

    /// <summary>
    /// KServe's <c>--model_dir</c>: a single model served as <see cref="ModelName"/> when a runtime recognises the
    /// directory (or <see cref="ModelFormat"/> is given); otherwise the directory is treated as a repository whose
    /// subdirectories are models (and becomes <see cref="ModelRepositoryRoot"/> if none is set).
    /// </summary>
    public string? ModelDirectory { get; set; }

    /// <summary>KServe's <c>--model_name</c> for <see cref="ModelDirectory"/>.</summary>
    public string ModelName { get; set; } = "model";

    /// <summary>Model format for <see cref="ModelDirectory"/>; null = detect.</summary>
    public string? ModelFormat { get; set; }

    /// <summary>Runtime settings given to every model loaded from the command line (e.g. <c>intra_op_threads</c>).</summary>
    public IDictionary<string, string> ModelSettings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Load every subdirectory of <see cref="ModelRepositoryRoot"/> at start-up.</summary>
    public bool LoadRepositoryAtStartup { get; set; } = true;

    /// <summary>How long in-flight requests may run after a shutdown signal before they are cut off.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Time between a shutdown signal and closing the listeners, during which readiness already answers 503 but
    /// requests are still served (lets load balancers stop routing first).
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Unix domain socket path on which the embedded platform's ingress hands client connections over (Linux only; set
    /// by the launcher of <c>servesharp up</c>). Null: connections come only through the ports.
    /// </summary>
    public string? HandoffSocket { get; set; }

    /// <summary>Server name in <c>GET /v2</c>.</summary>
    public string ServerName { get; set; } = "servesharp";

    /// <summary>Server version in <c>GET /v2</c>.</summary>
    public string ServerVersion { get; set; } =
        typeof(ModelServerOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        CheckPort(HttpPort, "--http-port");
        CheckPort(GrpcPort, "--grpc-port");
        if (HttpPort != 0 && HttpPort == GrpcPort)
        {
            throw new ArgumentException($"--http-port and --grpc-port must differ (both are {HttpPort}).");
        }

        if (MaxRequestBodySize <= 0)
        {
            throw new ArgumentException($"--max-body-size must be positive (got {MaxRequestBodySize}).");
        }

        if (GrpcMaxReceiveMessageSize <= 0 || GrpcMaxSendMessageSize <= 0)
        {
            throw new ArgumentException("gRPC message size limits must be positive.");
        }

        if (ShutdownTimeout < TimeSpan.Zero || DrainDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("Shutdown timeout and drain delay must not be negative.");
        }

        if (Host is not null and not "*" && !System.Net.IPAddress.TryParse(Host, out _))
        {
            throw new ArgumentException($"--host must be an IP address or '*' (got '{Host}').");
        }

        if (HandoffSocket is not null)
        {
            if (!Handoff.HandoffInterop.IsSupported)
            {
                throw new ArgumentException("--handoff-socket needs Linux (connection handoff passes file descriptors).");
            }

            if (HandoffSocket.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(HandoffSocket) > Handoff.HandoffEndPoint.MaxPathLength)
            {
                throw new ArgumentException($"--handoff-socket must be a path of 1..{Handoff.HandoffEndPoint.MaxPathLength} bytes (got '{HandoffSocket}').");
            }
        }

        if (ModelDirectory is not null)
        {
            ModelNameRules.Check(ModelName);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in Models)
        {
            ModelNameRules.Check(model.Name);
            if (!names.Add(model.Name))
            {
                throw new ArgumentException($"Model name '{model.Name}' is given twice.");
            }
        }
    }

    private static void CheckPort(int port, string option)
    {
        if (port is < 0 or > 65535)
        {
            throw new ArgumentException($"{option} must be between 0 and 65535 (got {port}).");
        }
    }
}
