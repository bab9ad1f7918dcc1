using System.CommandLine;
using System.Text.Json.Nodes;
using ServeSharp.Cli.Platform;

namespace ServeSharp.Cli.Commands;

/// <summary>
/// <c>servesharp promote NAME</c>: gives the canary revision 100% by removing <c>canaryTrafficPercent</c> (KServe's promotion);
/// <c>--rollback</c> sets it to 0 so the previous revision takes all traffic.
/// </summary>
internal static class PromoteCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "InferenceService name." };
        var rollback = new Option<bool>("--rollback") { Description = "Send all traffic back to the previous rolled-out revision (canaryTrafficPercent: 0)." };
        var ns = PlatformOptions.Namespace();
        var server = PlatformOptions.Server();
        var command = new Command("promote", "Promote an InferenceService's canary revision to 100% of traffic (or roll it back).") { name, rollback, ns, server };
        command.SetAction((result, cancellationToken) => PlatformAction.RunAsync(async () =>
        {
            var isvc = PlatformAction.ResolveType("isvc");
            using var client = new ControlApiClient(PlatformOptions.ResolveServer(result.GetValue(server)));
            var back = result.GetValue(rollback);
            var patch = new JsonObject
            {
                ["spec"] = new JsonObject { ["predictor"] = new JsonObject { ["canaryTrafficPercent"] = back ? 0 : null } },
            };
            await client.MergePatchAsync(ControlApiClient.Path(isvc, result.GetValue(ns)!, result.GetValue(name)), patch, cancellationToken);
            Console.WriteLine($"inferenceservice.serving.kserve.io/{result.GetValue(name)} {(back ? "rolled back" : "promoted")}");
            return 0;
        }));
        return command;
    }
}
