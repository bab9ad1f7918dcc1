using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ServeSharp.Server.Hosting;
using ServeSharp.Server.Models;

namespace ServeSharp.Serving;

/// <summary>Runs <c>servesharp serve</c>: binds options, starts the server, prints one ready line, waits for SIGTERM.</summary>
internal static class ServeRunner
{
    public static async Task<int> RunAsync(ServeOptions definition, ParseResult result, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        ModelServerOptions options;
        try
        {
            options = definition.Bind(result);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"servesharp serve: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        if (result.UnmatchedTokens.Count > 0)
        {
            await Console.Error.WriteLineAsync(
                $"servesharp serve: ignoring unknown arguments: {string.Join(' ', result.UnmatchedTokens)}").ConfigureAwait(false);
        }

        if (result.GetValue(definition.Workers) > 1)
        {
            await Console.Error.WriteLineAsync(
                "servesharp serve: --workers > 1 is accepted for KServe compatibility; one ServeSharp process already uses every core.")
                .ConfigureAwait(false);
        }

        if (result.GetValue(definition.MaxThreads) is { } maxThreads)
        {
            ThreadPool.GetMinThreads(out _, out var io);
            ThreadPool.SetMinThreads(maxThreads, io);
        }

        try
        {
            await RemoteModelFetcher.ResolveAsync(options, result.GetValue(definition.StorageUri), result.GetValue(definition.ModelCacheDir)!, cancellationToken).ConfigureAwait(false);
        }
        catch (ServeSharp.Storage.StorageException e)
        {
            await Console.Error.WriteLineAsync($"servesharp serve: cannot fetch model: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        // The server is built on a pool thread while this thread (the process's main thread) warms up the runtimes the
        // models need: the two take similar time and overlap, and native runtimes allocate cheaper on the main thread.
        var creating = Task.Run(() => ModelServer.Create(options, RuntimeCatalog.Register), cancellationToken);
        RuntimeCatalog.WarmUp(options);
        await using var server = await creating.ConfigureAwait(false);
        IReadOnlyList<ModelEntry> entries;
        try
        {
            entries = await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"servesharp serve: cannot listen: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        if (server.UnrecognisedModelDirectory is { } unrecognised)
        {
            await Console.Error.WriteLineAsync(UnrecognisedModelDirectory.Describe(server, options.ModelName, unrecognised, entries))
                .ConfigureAwait(false);
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await Console.Out.WriteLineAsync(ReadyLine(server, entries, elapsed)).ConfigureAwait(false);

        // A replica of `servesharp up` ends with its supervisor, however that died.
        using var supervisor = ParentProcessWatch.Start(TimeProvider.System);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, supervisor.Orphaned);
        await using (supervisor.Orphaned.Register(() => Console.Error.WriteLine(
            $"servesharp serve: the supervisor (pid {supervisor.SupervisorPid}) is gone; shutting down")))
        {
            await server.WaitForShutdownAsync(stop.Token).ConfigureAwait(false);
        }

        return 0;
    }

    internal static string ReadyLine(ModelServer server, IReadOnlyList<ModelEntry> entries, double elapsedMs)
    {
        var models = entries.Count == 0
            ? "no models yet"
            : string.Join(", ", entries.Select(e => e.State == ModelState.Ready ? $"{e.Name} (ready)" : $"{e.Name} ({e.State.ToString().ToLowerInvariant()}: {e.Reason})"));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"servesharp serve: listening on http port {server.HttpPort} (REST V1/V2) and grpc port {server.GrpcPort} after {elapsedMs:F0} ms; models: {models}");
    }
}
