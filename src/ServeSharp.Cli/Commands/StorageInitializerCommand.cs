using System.CommandLine;
using Microsoft.Extensions.Logging;
using ServeSharp.Cli.Storage;
using ServeSharp.Storage;
using ServeSharp.Storage.Configuration;
using ServeSharp.Storage.Transfer;
using Spectre.Console;

namespace ServeSharp.Cli.Commands;

/// <summary>
/// <c>servesharp storage-initializer SRC DEST [SRC DEST ...]</c>: a drop-in for KServe's
/// <c>initializer-entrypoint</c> (same positional pairs, same environment variables). Downloads each pair in turn;
/// on failure prints the reason and exits 1 (the init container's termination message).
/// </summary>
internal static class StorageInitializerCommand
{
    public const string Usage = "Usage: servesharp storage-initializer src_uri_0 dest_path_0 ... src_uri_n dest_path_n";

    public static Command Create()
    {
        var pairs = new Argument<string[]>("src-dest")
        {
            Description = "Pairs of storage URI and destination directory, as KServe's initializer-entrypoint takes them.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var pvc = new Option<string[]>("--pvc")
        {
            Description = "Map a PVC claim to a local directory for pvc:// URIs (claim=dir, repeatable).",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var plain = new Option<bool>("--no-progress") { Description = "Print plain log lines instead of progress bars." };
        var command = new Command("storage-initializer", "Download models from storage URIs (KServe storage-initializer compatible).");
        command.Arguments.Add(pairs);
        command.Options.Add(pvc);
        command.Options.Add(plain);
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(pairs) ?? [],
            parse.GetValue(pvc) ?? [],
            parse.GetValue(plain),
            cancellationToken));
        return command;
    }

    /// <summary>Runs the initializer; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] arguments, string[] pvcMappings, bool noProgress, CancellationToken cancellationToken)
    {
        if (arguments.Length < 2 || arguments.Length % 2 != 0)
        {
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 1;
        }

        using var loggerFactory = LoggerFactory.Create(builder => builder
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            })
            .SetMinimumLevel(LogLevel.Information));
        var logger = loggerFactory.CreateLogger("storage-initializer");
        var options = new StorageOptions();
        foreach (var mapping in pvcMappings)
        {
            var eq = mapping.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == mapping.Length - 1)
            {
                await Console.Error.WriteLineAsync($"--pvc expects claim=dir, got '{mapping}'.").ConfigureAwait(false);
                return 1;
            }

            options.PvcClaims[mapping[..eq]] = mapping[(eq + 1)..];
        }

        var interactive = !noProgress && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        try
        {
            if (interactive)
            {
                await AnsiConsole.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                    .StartAsync(ctx => DownloadAllAsync(arguments, options, NullLoggerFactoryFor(loggerFactory), new SpectreDownloadProgress(ctx), cancellationToken))
                    .ConfigureAwait(false);
            }
            else
            {
                await DownloadAllAsync(arguments, options, loggerFactory, new LogDownloadProgress(logger), cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }
        catch (StorageException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Download cancelled.").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task DownloadAllAsync(string[] arguments, StorageOptions options, ILoggerFactory loggerFactory, IDownloadProgress progress, CancellationToken cancellationToken)
    {
        using var downloader = new ModelDownloader(options, StorageEnvironment.FromProcess(), loggerFactory, TimeProvider.System, progress);

        // Sequential, in argument order, as KServe's initializer does.
        for (var i = 0; i < arguments.Length; i += 2)
        {
            await downloader.DownloadAsync(arguments[i], arguments[i + 1], cancellationToken).ConfigureAwait(false);
        }
    }

    // With progress bars on screen, log lines would tear the display; only the bars are shown.
    private static ILoggerFactory NullLoggerFactoryFor(ILoggerFactory _) => Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
}
