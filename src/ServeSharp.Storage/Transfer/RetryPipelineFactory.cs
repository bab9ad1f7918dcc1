using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using ServeSharp.Storage.Configuration;
using ServeSharp.Storage.Logging;

namespace ServeSharp.Storage.Transfer;

/// <summary>Builds the Polly pipeline every listing and object download runs through: exponential backoff with jitter on transient errors.</summary>
internal static class RetryPipelineFactory
{
    public static ResiliencePipeline Create(StorageOptions options, TimeProvider timeProvider, ILogger logger, SecretRedactor redactor)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(TransientErrors.IsTransient(args.Outcome.Exception, args.Context.CancellationToken)),
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    var what = args.Context.Properties.TryGetValue(OperationName, out var name) ? name : "request";
                    var reason = redactor.Redact(args.Outcome.Exception?.Message ?? "unknown error");
                    StorageLog.Retrying(logger, args.AttemptNumber + 1, what, reason, args.RetryDelay);
                    return default;
                },
            });
        }

        return builder.Build();
    }

    /// <summary>Context key naming the operation in retry log lines.</summary>
    public static readonly ResiliencePropertyKey<string> OperationName = new("servesharp.storage.operation");
}
