using System.CommandLine;
using ServeSharp.Cli.Platform;

namespace ServeSharp.Cli.Commands;

/// <summary><c>servesharp logs NAME</c>: prints the log files of the latest revision's replicas of a component.</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "InferenceService name." };
        var component = new Option<string>("--component", "-c") { Description = "predictor, transformer or explainer.", DefaultValueFactory = _ => "predictor" };
        var tail = new Option<int>("--tail") { Description = "Lines per replica (-1: all).", DefaultValueFactory = _ => -1 };
        var ns = PlatformOptions.Namespace();
        var dataDir = PlatformOptions.DataDir();
        var command = new Command("logs", "Print the logs of an InferenceService's replicas (read from the data directory of `servesharp up`).") { name, component, tail, ns, dataDir };
        command.SetAction(async (result, cancellationToken) =>
        {
            var logs = Path.Combine(PlatformOptions.ResolveDataDir(result.GetValue(dataDir)), "logs");
            var prefix = $"{result.GetValue(ns)}.{result.GetValue(name)}-{result.GetValue(component)}-";
            var revision = Directory.Exists(logs)
                ? Directory.EnumerateDirectories(logs, prefix + "*").Order(StringComparer.Ordinal).LastOrDefault()
                : null;
            if (revision is null)
            {
                await Console.Error.WriteLineAsync($"error: no logs for {result.GetValue(component)} of {result.GetValue(ns)}/{result.GetValue(name)} under {logs}");
                return 1;
            }

            foreach (var file in Directory.EnumerateFiles(revision, "*.log").Order(StringComparer.Ordinal))
            {
                Console.WriteLine($"==> {Path.GetFileNameWithoutExtension(file)} <==");
                var lines = await File.ReadAllLinesAsync(file, cancellationToken);
                var count = result.GetValue(tail);
                foreach (var line in count < 0 ? lines : lines.TakeLast(count))
                {
                    Console.WriteLine(line);
                }
            }

            return 0;
        });
        return command;
    }
}
