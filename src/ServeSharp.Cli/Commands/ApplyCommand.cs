using System.CommandLine;
using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Pipeline;
using ServeSharp.Control.Serialization;
using ServeSharp.Cli.Platform;

namespace ServeSharp.Cli.Commands;

/// <summary>
/// <c>servesharp apply -f FILE</c>. With <c>--dry-run</c> the objects go through admission and runtime selection locally
/// and are printed as they would be stored (<c>-o yaml|json</c>) or summarised (<c>-o name</c>, default kubectl style).
/// Without <c>--dry-run</c> the objects are created (or replaced when they exist) in the daemon at <c>--server</c>
/// (<c>SERVESHARP_SERVER</c>, default http://127.0.0.1:7070), see <see cref="ServerApply"/>.
/// </summary>
internal static class ApplyCommand
{
    public const string DefaultServer = "http://127.0.0.1:7070";

    public static Command Create()
    {
        var options = new ControlPlaneOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "Admit locally without a server and print the result" };
        var format = new Option<string>("--output", "-o") { Description = "yaml, json or name", DefaultValueFactory = _ => "name" };
        format.AcceptOnlyFromAmong("yaml", "json", "name");
        var server = new Option<string?>("--server") { Description = $"ServeSharp daemon URL (default: $SERVESHARP_SERVER or {DefaultServer})" };
        var command = new Command("apply", "Apply KServe manifests (InferenceService, ServingRuntime, TrainedModel, InferenceGraph, ...)");
        options.AddTo(command);
        command.Options.Add(dryRun);
        command.Options.Add(format);
        command.Options.Add(server);
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var file = parse.GetRequiredValue(options.File);
            if (!ManifestInput.TryRead(file, error, out var text))
            {
                return 1;
            }
            if (!parse.GetValue(dryRun))
            {
                // The daemon runs the same admission on every write and answers with its message when it rejects.
                return ServerApply.RunAsync(text, file.ToString(), parse.GetValue(server), output, error, CancellationToken.None).GetAwaiter().GetResult();
            }
            if (!options.TryDryRun(parse, text, file.ToString(), error, out var outcomes))
            {
                return 1;
            }
            if (outcomes.Count == 0)
            {
                error.WriteLine($"error: no objects passed to apply");
                return 1;
            }
            var admitted = new List<object>();
            foreach (var outcome in outcomes)
            {
                foreach (var warning in outcome.Warnings)
                {
                    error.WriteLine($"Warning: {warning}");
                }
                if (!outcome.IsAdmitted)
                {
                    error.WriteLine(outcome.FormatError(file.ToString()));
                    continue;
                }
                var value = parse.GetValue(format);
                if (value == "name")
                {
                    output.WriteLine($"{outcome.DisplayName} created (dry run){RuntimeSummary.Describe(outcome.Runtime)}");
                }
                else
                {
                    admitted.Add(WithRuntimeStatus(outcome));
                }
            }
            if (admitted.Count > 0)
            {
                var kind = parse.GetValue(format) == "json" ? ResourceWriter.Format.Json : ResourceWriter.Format.Yaml;
                output.Write(ResourceWriter.Write(admitted, kind));
            }
            return outcomes.All(o => o.IsAdmitted) ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// The stored object plus, for an InferenceService, the runtime choice in the status fields KServe's controller fills
    /// (<c>servingRuntimeName</c> / <c>clusterServingRuntimeName</c>, or <c>modelStatus.lastFailureInfo</c>).
    /// </summary>
    private static KServeResource WithRuntimeStatus(AdmissionOutcome outcome)
    {
        if (outcome.Admitted is not InferenceService isvc || outcome.Runtime is not { NotApplicable: false } selection)
        {
            return outcome.Admitted!;
        }
        var copy = KubeJson.Clone(isvc);
        copy.Status ??= new InferenceServiceStatus();
        if (selection.Runtime is { } runtime)
        {
            if (runtime.IsClusterScoped)
            {
                copy.Status.ClusterServingRuntimeName = runtime.Name;
            }
            else
            {
                copy.Status.ServingRuntimeName = runtime.Name;
            }
        }
        else
        {
            copy.Status.ModelStatus = new ModelStatus
            {
                TransitionStatus = "InvalidSpec",
                States = new ModelRevisionStates { ActiveModelState = "", TargetModelState = "FailedToLoad" },
                LastFailureInfo = new FailureInfo { Reason = selection.FailureReason, Message = selection.Message },
            };
        }
        return copy;
    }
}
