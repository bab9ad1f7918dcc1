using System.CommandLine;
using ServeSharp.Server.Hosting;

namespace ServeSharp.Serving;

/// <summary>
/// The options of <c>servesharp serve</c>. Every option has our spelling and KServe's (<c>--model-name</c> and
/// <c>--model_name</c>), and <c>--name=value</c> works, so KServe ServingRuntime args run unchanged.
/// </summary>
internal sealed class ServeOptions
{
    public Option<string> ModelName { get; } = new("--model-name", "--model_name")
    {
        Description = "Name the model in --model-dir is served under.",
        DefaultValueFactory = _ => "model",
    };

    public Option<string?> ModelDir { get; } = new("--model-dir", "--model_dir")
    {
        Description = "Model directory. If no runtime recognises it (and no --model-format is given), each subdirectory is a model (KServe's multi-model layout).",
    };

    public Option<string?> ModelFormat { get; } = new("--model-format", "--model_format")
    {
        Description = "Model format of --model-dir (e.g. onnx, xgboost, lightgbm, sklearn). Default: detect from the files.",
    };

    public Option<string[]> Models { get; } = new("--model")
    {
        Description = "Another model to serve, as NAME=DIR or NAME:FORMAT=DIR. Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> ModelRepository { get; } = new("--model-repository", "--model_repository")
    {
        Description = "Directory whose subdirectories are models: all are loaded at start, and repository load requests load {dir}/{name}.",
    };

    public Option<int> HttpPort { get; } = new("--http-port", "--http_port")
    {
        Description = "REST port (HTTP/1.1).",
        DefaultValueFactory = _ => 8080,
    };

    public Option<int> GrpcPort { get; } = new("--grpc-port", "--grpc_port")
    {
        Description = "gRPC port (cleartext HTTP/2).",
        DefaultValueFactory = _ => 8081,
    };

    public Option<string?> Host { get; } = new("--host")
    {
        Description = "IP address to listen on. Default: all interfaces.",
    };

    public Option<string> MaxBodySize { get; } = new("--max-body-size", "--max_body_size")
    {
        Description = "Largest REST request body (bytes, or with k/m/g suffix); larger bodies get 413.",
        DefaultValueFactory = _ => "64m",
    };

    public Option<int> GrpcMaxReceive { get; } = new("--grpc-max-receive-message-length", "--grpc_max_receive_message_length")
    {
        Description = "Largest gRPC request message in bytes; larger ones get RESOURCE_EXHAUSTED.",
        DefaultValueFactory = _ => ModelServerOptions.DefaultGrpcMaxMessageSize,
    };

    public Option<int> GrpcMaxSend { get; } = new("--grpc-max-send-message-length", "--grpc_max_send_message_length")
    {
        Description = "Largest gRPC response message in bytes.",
        DefaultValueFactory = _ => ModelServerOptions.DefaultGrpcMaxMessageSize,
    };

    public Option<int> Workers { get; } = new("--workers")
    {
        Description = "Accepted for KServe compatibility. ServeSharp always serves from one process that uses every core; values above 1 only log a note.",
        DefaultValueFactory = _ => 1,
    };

    public Option<int?> MaxThreads { get; } = new("--max-threads", "--max_threads")
    {
        Description = "Minimum number of thread-pool worker threads kept ready (default: the runtime's choice).",
    };

    public Option<int?> IntraOpThreads { get; } = new("--intra-op-threads", "--intra_op_threads")
    {
        Description = "Threads a runtime may use inside one inference (passed to runtimes as setting intra_op_threads).",
    };

    public Option<string[]> Settings { get; } = new("--setting")
    {
        Description = "A runtime setting KEY=VALUE given to every model (e.g. predict_proba=true). Repeatable.",
    };

    public Option<bool> EnableLatencyLogging { get; } = new("--enable-latency-logging", "--enable_latency_logging")
    {
        Description = "Log one line per request with its x-request-id and preprocess/predict/postprocess times. Off by default: per-request console logging costs throughput (KServe defaults it on).",
    };

    public Option<double> ShutdownTimeout { get; } = new("--shutdown-timeout")
    {
        Description = "Seconds in-flight requests may take to finish after SIGTERM.",
        DefaultValueFactory = _ => 30,
    };

    public Option<double> DrainSeconds { get; } = new("--drain-seconds")
    {
        Description = "Seconds between SIGTERM and closing the listeners, while readiness already reports false.",
        DefaultValueFactory = _ => 0,
    };

    public Option<string?> StorageUri { get; } = new("--storage-uri", "--storage_uri")
    {
        Description = "Storage URI of the model (s3://, gs://, Azure Blob, http(s)://, hf://, pvc://): downloaded into --model-dir, or through the model cache when --model-dir is not given. A remote --model-dir or --model DIR is fetched through the cache too.",
    };

    public Option<string> ModelCacheDir { get; } = new("--model-cache-dir", "--model_cache_dir")
    {
        Description = "Folder of the content-addressed cache for downloaded models.",
        DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "servesharp-model-cache"),
    };

    public Option<string?> HandoffSocket { get; } = new("--handoff-socket")
    {
        Description = "Unix socket on which `servesharp up`'s ingress hands client connections over (Linux; set by the platform, not by users).",
        Hidden = true,
    };

    public IEnumerable<Option> All =>
    [
        ModelName, ModelDir, ModelFormat, Models, ModelRepository, HttpPort, GrpcPort, Host, MaxBodySize, GrpcMaxReceive,
        GrpcMaxSend, Workers, MaxThreads, IntraOpThreads, Settings, EnableLatencyLogging, ShutdownTimeout, DrainSeconds,
        StorageUri, ModelCacheDir, HandoffSocket,
    ];

    /// <summary>Builds validated server options from a parse result.</summary>
    /// <exception cref="ArgumentException">A value is invalid; the message names the option.</exception>
    public ModelServerOptions Bind(ParseResult result)
    {
        var maxBody = result.GetValue(MaxBodySize)!;
        if (!ByteSizeParser.TryParse(maxBody, out var maxBodyBytes))
        {
            throw new ArgumentException($"--max-body-size '{maxBody}' is not a size (e.g. 67108864, 64m, 1g).");
        }

        var options = new ModelServerOptions
        {
            ModelName = result.GetValue(ModelName) ?? "model",
            ModelDirectory = result.GetValue(ModelDir),
            ModelFormat = result.GetValue(ModelFormat),
            ModelRepositoryRoot = result.GetValue(ModelRepository),
            HttpPort = result.GetValue(HttpPort),
            GrpcPort = result.GetValue(GrpcPort),
            Host = result.GetValue(Host),
            MaxRequestBodySize = maxBodyBytes,
            GrpcMaxReceiveMessageSize = result.GetValue(GrpcMaxReceive),
            GrpcMaxSendMessageSize = result.GetValue(GrpcMaxSend),
            EnableLatencyLogging = result.GetValue(EnableLatencyLogging),
            CloudEvents = ServeSharp.Server.Rest.CloudEvents.CloudEventOptions.FromEnvironment(Environment.GetEnvironmentVariable),
            ShutdownTimeout = Seconds(result.GetValue(ShutdownTimeout), "--shutdown-timeout"),
            DrainDelay = Seconds(result.GetValue(DrainSeconds), "--drain-seconds"),
            HandoffSocket = result.GetValue(HandoffSocket),
        };
        foreach (var spec in result.GetValue(Models) ?? [])
        {
            options.Models.Add(ModelSpecParser.Parse(spec));
        }

        foreach (var setting in result.GetValue(Settings) ?? [])
        {
            var equals = setting.IndexOf('=');
            if (equals <= 0)
            {
                throw new ArgumentException($"--setting '{setting}' must look like KEY=VALUE.");
            }

            options.ModelSettings[setting[..equals]] = setting[(equals + 1)..];
        }

        if (result.GetValue(IntraOpThreads) is { } intraOp)
        {
            if (intraOp < 1)
            {
                throw new ArgumentException($"--intra-op-threads must be at least 1 (got {intraOp}).");
            }

            options.ModelSettings["intra_op_threads"] = intraOp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (result.GetValue(MaxThreads) is < 1)
        {
            throw new ArgumentException("--max-threads must be at least 1.");
        }

        if (result.GetValue(Workers) < 1)
        {
            throw new ArgumentException("--workers must be at least 1.");
        }

        options.Validate();
        return options;
    }

    private static TimeSpan Seconds(double value, string option) =>
        value >= 0 && double.IsFinite(value)
            ? TimeSpan.FromSeconds(value)
            : throw new ArgumentException($"{option} must be a non-negative number of seconds (got {value}).");
}
