using ServeSharp.Control.Runtimes;

namespace ServeSharp.Cli.Commands;

/// <summary>One-line description of a runtime selection.</summary>
internal static class RuntimeSummary
{
    public static string Describe(RuntimeSelection? selection) => selection switch
    {
        null or { NotApplicable: true } => "",
        { Runtime: { } runtime } => $" (runtime: {runtime.Kind}/{runtime.Name})",
        _ => $" (no runtime: {selection.FailureReason}: {selection.Message})",
    };
}
