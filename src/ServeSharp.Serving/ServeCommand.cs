using System.CommandLine;

namespace ServeSharp.Serving;

/// <summary><c>servesharp serve</c>: the KServe-compatible model server (V1 + V2 REST, V2 gRPC).</summary>
public static class ServeCommand
{
    /// <summary>The <c>serve</c> command with its options and action.</summary>
    public static Command Create()
    {
        var definition = new ServeOptions();
        var command = new Command("serve", "Serve models over KServe V1 and Open Inference Protocol (V2) REST and gRPC.")
        {
            // KServe runtimes pass flags we do not need (e.g. --enable_docs_url); they are reported, not fatal.
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var option in definition.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((result, cancellationToken) => ServeRunner.RunAsync(definition, result, cancellationToken));
        return command;
    }
}
