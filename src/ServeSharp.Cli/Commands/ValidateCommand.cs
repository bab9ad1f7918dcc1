using System.CommandLine;
using ServeSharp.Control.Pipeline;

namespace ServeSharp.Cli.Commands;

/// <summary>
/// <c>servesharp validate -f FILE</c>: runs every object through KServe's admission (schema, defaulting, validation) and
/// runtime selection, printing one verdict line per object; rejections are printed as kubectl prints them. Exit 1 if any
/// object is rejected.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var options = new ControlPlaneOptions();
        var command = new Command("validate", "Check KServe manifests as the API server and KServe's webhooks would, and show the runtime each InferenceService gets");
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var file = parse.GetRequiredValue(options.File);
            if (!ManifestInput.TryRead(file, error, out var text))
            {
                return 1;
            }
            if (!options.TryDryRun(parse, text, file.ToString(), error, out var outcomes))
            {
                return 1;
            }
            var failed = 0;
            foreach (var outcome in outcomes)
            {
                foreach (var warning in outcome.Warnings)
                {
                    error.WriteLine($"Warning: {warning}");
                }
                if (!outcome.IsAdmitted)
                {
                    failed++;
                    output.WriteLine($"{Describe(outcome)}: invalid");
                    error.WriteLine(outcome.FormatError(file.ToString()));
                    continue;
                }
                output.WriteLine($"{Describe(outcome)}: valid{RuntimeSummary.Describe(outcome.Runtime)}");
            }
            if (outcomes.Count == 0)
            {
                error.WriteLine($"error: no objects passed to validate in \"{file}\"");
                return 1;
            }
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    private static string Describe(AdmissionOutcome outcome) =>
        outcome.Document.Kind.Length == 0 || outcome.Document.Name.Length == 0
            ? $"document {outcome.Document.Index + 1}"
            : outcome.DisplayName;
}
